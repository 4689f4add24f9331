from django.core.exceptions import PermissionDenied


class NotAllowed(PermissionDenied):
    """The acting user's role or scope does not allow this action; `needs` is the capability it takes, if known."""

    def __init__(self, *args, needs: str | None = None):
        super().__init__(*args)
        self.needs = needs
