from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from treem.accounts import lockout, two_factor
from treem.accounts.lockout import AuthAction
from treem.accounts.tokens import issue_token
from treem.audit.services import record

from .throttles import LoginThrottle


class TokenRequest(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(required=False, allow_blank=True, max_length=32,
                                help_text="Two-factor code (or a recovery code): required for users who have 2FA "
                                          "or whose role requires it.")


class TokenResponse(serializers.Serializer):
    token = serializers.CharField()


class ObtainTokenView(APIView):
    """Exchange a username and password (and a two-factor code when the user has or needs 2FA) for an API token.

    The same throttle as the web login: 429 with `retry_after` (seconds) and a Retry-After header. A throttled client
    that gives a correct password and code still gets its token.
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginThrottle]

    @extend_schema(request=TokenRequest, responses={200: TokenResponse})
    def post(self, request):
        data = TokenRequest(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"].strip()
        otp = data.validated_data.get("otp", "").strip()
        throttle = lockout.check(request, username)
        if throttle and not otp:
            return self._throttled(request, username, throttle)
        user = authenticate(request._request, username=username, password=data.validated_data["password"])
        if user is None:  # counted by the user_login_failed signal
            if throttle:
                return self._throttled(request, username, throttle)
            return Response({"detail": _("Wrong username or password.")}, status=status.HTTP_400_BAD_REQUEST)
        if otp or throttle or two_factor.has_device(user) or two_factor.is_required(user):
            refused = self._second_factor(request, user, otp, throttle)
            if refused is not None:
                return refused
        lockout.note_success(request, username)
        record(user, AuthAction.TOKEN_ISSUED, user, summary={"username": username.lower()}, request=request)
        token = issue_token(user)
        return Response({"token": token.key})

    def _second_factor(self, request, user, otp: str, throttle):
        """None when the code is right; else the answer (while throttled, the same answer as a wrong password)."""
        if not two_factor.has_device(user) and not throttle:
            if not two_factor.is_required(user):
                return None  # a code sent by a user who has no 2FA changes nothing
            return Response({"detail": _("Your role requires two-factor authentication: set it up on the web "
                                         "first.")}, status=status.HTTP_403_FORBIDDEN)
        if not otp:
            return Response({"detail": _("Enter the code from your authenticator app in the field otp."),
                             "otp_required": True}, status=status.HTTP_400_BAD_REQUEST)
        device = two_factor.verify(user, otp)
        if device is not None:
            two_factor.record_verified(request, user, device)
            return None
        username = user.get_username().lower()
        lockout.note_failure(request, username)
        record(None, AuthAction.OTP_FAILED, summary={"username": username}, request=request)
        if throttle:
            return self._throttled(request, username, throttle)
        return Response({"detail": _("The two-factor code is wrong or was already used."), "otp_required": True},
                        status=status.HTTP_400_BAD_REQUEST)

    @staticmethod
    def _throttled(request, username: str, throttle):
        lockout.record_throttled(request, username, throttle)
        return Response({"detail": throttle.message(), "retry_after": throttle.seconds},
                        status=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": str(throttle.seconds)})
