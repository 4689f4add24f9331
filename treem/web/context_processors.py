from treem.access import scope_for

from .navigation import modules_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_modules": modules_for(scope_for(user), staff=user.is_staff)}
