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
    hosts = [host.strip() for host in environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]
    if not hosts:
        problems.append("ALLOWED_HOSTS is not set")
    elif "*" in hosts:
        # Any Host header would be believed: password-reset links and absolute URLs could point to an attacker's site.
        problems.append("ALLOWED_HOSTS contains '*' (list the host names the site answers to)")
    return problems
