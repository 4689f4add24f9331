from django.core.exceptions import PermissionDenied


class NotAllowed(PermissionDenied):
    """The acting user's role or scope does not allow this action."""
