"""`treem hotline-token`: the service user a hotline system (e.g. 111) uses to post reports through the API, and its
token. The user has the hotline_operator role (national, or for one province) and no password: it can only record
reports and read the reports it recorded."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from treem.accounts.models import Assignment, Role, User
from treem.accounts.tokens import issue_token
from treem.audit.services import record
from treem.core.actors import SYSTEM
from treem.geo.models import Unit, UnitLevel, UnitSystem


class Command(BaseCommand):
    help = "Create (or find) the hotline service user and print its API token."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="hethong.111")
        parser.add_argument("--province", help="current province code (default: national)")
        parser.add_argument("--rotate", action="store_true", help="replace the existing token")

    def handle(self, *args, username, province=None, rotate=False, **options):
        unit = None
        if province:
            unit = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code=province).first()
            if unit is None:
                raise CommandError(f"unknown province code {province}")
        user = ensure_hotline_user(username, unit)
        if rotate:
            Token.objects.filter(user=user).delete()
        before = Token.objects.filter(user=user).values_list("key", flat=True).first()
        token = issue_token(user)  # a new one when the old one expired (TREEM_SERVICE_TOKEN_HOURS)
        if token.key != before:
            record(SYSTEM, "cases.hotline_token.create", user, summary={"username": username})
        self.stdout.write(token.key)


def ensure_hotline_user(username: str, unit=None) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={
        "full_name": "Hệ thống tổng đài 111 (tài khoản dịch vụ)"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        record(SYSTEM, "accounts.user.create", user, summary={"username": username, "service": "hotline"})
    Assignment.objects.get_or_create(user=user, role=Role.HOTLINE_OPERATOR, unit=unit,
                                     defaults={"valid_from": date(2025, 7, 1)})
    return user
