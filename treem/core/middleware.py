"""Pages with children's data must not stay in a browser's or a proxy's cache (a shared computer at the commune
office, the back button after logging out)."""


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` and `Pragma: no-cache` on every response to a logged-in user and on every
    API response. Static files never get here: WhiteNoise answers them before this middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response
