"""What an app above the register adds to it. The child's page and the API say whether the child has protection cases
the reader may open, but the register sits below cases and does not import it: cases installs its selector here when
Django starts (treem.cases.apps.CasesConfig.ready)."""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_cases_of_child: Callable | None = None


def provide_cases_of_child(selector: Callable) -> None:
    """`selector(user, child)` -> the child's cases the user may open and in which she may know the child by name."""
    global _cases_of_child
    _cases_of_child = selector


def cases_of_child(user, child):
    if _cases_of_child is None:
        raise ImproperlyConfigured("the cases app is not ready: the register cannot list a child's cases")
    return _cases_of_child(user, child)
