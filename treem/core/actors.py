"""Who acts. Services take an `actor`: a user, or SYSTEM for reference-data loads and scheduled jobs."""


class SystemActor:
    is_system = True
    is_authenticated = True
    pk = None
    username = "system"

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()
