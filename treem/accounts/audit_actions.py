"""The audit actions of users, roles and agencies (see treem.audit.registry)."""

from django.utils.translation import gettext_lazy as _

from treem.audit.registry import action, register

from .lockout import LOGIN_FAILED, LOGIN_OK, AuthAction

register(
    action(LOGIN_OK, _("{actor} signed in"), _("Signed in"), hidden=frozenset({"username"})),
    action(LOGIN_FAILED, _("A sign-in failed"), _("Sign-in failed")),
    action(AuthAction.LOGIN_THROTTLED, _("A sign-in was refused: too many failed attempts"), _("Sign-in held back")),
    action(AuthAction.OTP_VERIFIED, _("{actor} gave the two-factor code"), _("Two-factor code given"),
           hidden=frozenset({"username"})),
    action(AuthAction.OTP_FAILED, _("A wrong two-factor code was given"), _("Wrong two-factor code")),
    action(AuthAction.OTP_ENROLLED, _("{actor} turned on two-factor authentication"),
           _("Two-factor authentication turned on"), hidden=frozenset({"username"})),
    action(AuthAction.OTP_RECOVERY_USED, _("{actor} signed in with a recovery code"), _("Recovery code used"),
           hidden=frozenset({"username"})),
    action(AuthAction.OTP_RECOVERY_REGENERATED, _("{actor} made new recovery codes"), _("Recovery codes renewed")),
    action(AuthAction.OTP_RESET, _("{actor} reset the two-factor authentication of {object}"),
           _("Two-factor authentication reset"), hidden=frozenset({"username"})),
    action(AuthAction.TOKEN_ISSUED, _("{actor} received an API key"), _("API key issued"),
           hidden=frozenset({"username"})),
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
