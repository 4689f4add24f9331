"""Two-factor authentication (django-otp): a TOTP app on the phone, plus one-time recovery codes.

Who must use it: the roles in TREEM_2FA_REQUIRED_ROLES (a superuser counts as an administrator). Anyone may enrol;
whoever has a device must give a code at each login. A session becomes complete only through `mark_passed`, after a
code was checked (or at enrolment); until then TwoFactorMiddleware lets the user do nothing but enrol or verify.
"""

import io
from enum import StrEnum

import segno
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from treem.access import Capability, forbid_unless, scope_for
from treem.audit.services import record

from .lockout import AuthAction
from .models import Role, User

SESSION_PASSED = "treem_2fa_passed"
SESSION_NEW_CODES = "treem_2fa_new_codes"
RECOVERY_CODES = 10


class State(StrEnum):
    PASSED = "passed"  # this session gave a code (or enrolled)
    NOT_NEEDED = "not_needed"  # no device and no role that requires one
    VERIFY = "verify"  # has a device: must give a code
    ENROL = "enrol"  # a role that requires it, and no device yet


def is_required(user) -> bool:
    required = set(settings.TREEM_2FA_REQUIRED_ROLES)
    if user.is_superuser and Role.ADMINISTRATOR in required:
        return True
    return bool(required & scope_for(user).roles)


def has_device(user) -> bool:
    # Recovery codes exist only beside a TOTP device (enrolment makes both, a reset removes both).
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def state(request) -> State:
    user = request.user
    if request.session.get(SESSION_PASSED) == user.pk:
        return State.PASSED
    if has_device(user):
        return State.VERIFY
    return State.ENROL if is_required(user) else State.NOT_NEEDED


def mark_passed(request, device) -> None:
    request.session[SESSION_PASSED] = request.user.pk
    otp_login(request, device)


def verify(user, code: str):
    """The device that accepts this code (the TOTP app, or a recovery code, which is then used up), or None.

    django-otp throttles each device on its own after wrong codes (a wait that doubles), so a stolen password alone
    does not let anyone try the million codes.
    """
    code = "".join(str(code or "").split()).lower()
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        if code.isdigit():
            for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
                if device.verify_token(code):
                    return device
        for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


def record_verified(request, user, device) -> None:
    action = AuthAction.OTP_RECOVERY_USED if isinstance(device, StaticDevice) else AuthAction.OTP_VERIFIED
    summary = {"username": user.get_username().lower()}
    if isinstance(device, StaticDevice):
        summary["codes_left"] = device.token_set.count()
    record(user, action, user, summary=summary, request=request)


# Enrolment --------------------------------------------------------------------------------------------------------

def pending_device(user) -> TOTPDevice:
    """The device being enrolled: the same secret on every visit, so a reload does not undo a scan."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="default", confirmed=False)


def qr_svg_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG drawn here (no outside service)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for an app that cannot scan."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def enrol_confirm(*, request, user, code: str) -> list[str] | None:
    """Check the first code from the app; on success the device is confirmed and the recovery codes are returned."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    code = "".join(str(code or "").split())
    if device is None or not code.isdigit() or not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _new_recovery_codes(user)
    mark_passed(request, device)
    record(user, AuthAction.OTP_ENROLLED, user, summary={"username": user.get_username().lower()}, request=request)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, request, user) -> list[str]:
    """New recovery codes; the old ones stop working."""
    forbid_unless(scope_for(user), has_device(user))
    codes = _new_recovery_codes(user)
    record(user, AuthAction.OTP_RECOVERY_REGENERATED, user, summary={"count": len(codes)}, request=request)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def recovery_codes_file(codes: list[str]) -> bytes:
    out = io.StringIO()
    out.write("treem - mã khôi phục xác thực hai bước (mỗi mã dùng được một lần)\r\n\r\n")
    for code in codes:
        out.write(code + "\r\n")
    return out.getvalue().encode("utf-8")


# Reset by an administrator ---------------------------------------------------------------------------------------

@transaction.atomic
def two_factor_reset(*, actor, user: User, request=None) -> None:
    """An administrator removes a user's devices (a lost phone); the user enrols again at the next login."""
    scope = scope_for(actor)
    cap = Capability.MANAGE_USERS
    units = [a.unit for a in user.assignments.select_related("unit", "agency__province")
             if a.unit is not None] + [a.agency.province for a in user.assignments.select_related("agency__province")
                                       if a.agency is not None and a.agency.province is not None]
    allowed = scope.is_national(cap) or (bool(units) and scope.may(cap, *units))
    forbid_unless(scope, allowed and actor.pk != user.pk)
    removed = TOTPDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(actor, AuthAction.OTP_RESET, user, request=request,
           summary={"username": user.get_username().lower(), "devices_removed": removed},
           unit=units[0] if units else None)
