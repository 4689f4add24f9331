"""What makes a configuration unfit for production (imported without side effects, so tests can call it)."""


def insecure_settings(environ, debug: bool) -> list[str]:
    """What makes this configuration unfit for production (empty when fit)."""
    problems = []
    key = environ.get("SECRET_KEY", "")
    if not key:
        problems.append("SECRET_KEY is not set")
    elif len(key) < 50 or key.startswith("django-insecure") or len(set(key)) < 10:
        problems.append("SECRET_KEY is a default or weak value (use 50+ random characters)")
    if debug:
        problems.append("DEBUG is on")
    if not environ.get("ALLOWED_HOSTS"):
        problems.append("ALLOWED_HOSTS is not set")
    return problems
