"""The audit actions of users, roles and agencies (see treem.audit.registry)."""

from django.utils.translation import gettext_lazy as _

from treem.audit.registry import action, register

from .lockout import LOGIN_FAILED, LOGIN_OK

register(
    action(LOGIN_OK, _("{actor} signed in"), _("Signed in"), hidden=frozenset({"username"})),
    action(LOGIN_FAILED, _("A sign-in failed"), _("Sign-in failed")),
    action("api.token.revoke", _("{actor} signed out of the API and its key was revoked"), _("API key revoked")),
    action("accounts.user.create", _("{actor} created the account of {object}"), _("Account created")),
    action("accounts.user.password_change", _("{actor} changed the password of {object}"), _("Password changed"),
           hidden=frozenset({"password"})),
    action("accounts.user.lock", _("{actor} locked the account of {object}"), _("Account locked"),
           fields={"username": _("username")}),
    action("accounts.user.unlock", _("{actor} unlocked the account of {object}"), _("Account unlocked"),
           fields={"username": _("username")}),
    action("accounts.user.password_reset", _("{actor} reset the password of {object}"), _("Password reset"),
           fields={"username": _("username")}),
    action("accounts.assignment.create", _("{actor} gave a role: {object}"), _("Role given")),
    action("accounts.assignment.end", _("{actor} ended a role: {object}"), _("Role ended")),
    action("accounts.agency.create", _("{actor} created the agency {object}"), _("Agency created")),
    action("accounts.agency.update", _("{actor} changed {fields} of the agency {object}"), _("Agency changed")),
    action("accounts.agency.succeed", _("{actor} recorded the successor of the agency {object}"),
           _("Agency succeeded")),
    action("demo.accounts.load", _("{actor} loaded the demo accounts"), _("Demo accounts loaded")),
)
