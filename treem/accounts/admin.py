from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from treem.core.admin import NoDeleteMixin
from treem.core.exceptions import NotAllowed
from treem.core.text import fold

from .models import Agency, AgencySuccession, Assignment, User
from .two_factor import two_factor_reset

# Devices are managed through treem's pages and the audited reset below, never edited by hand (the TOTP admin would
# show every user's secret).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


def _login_through_treem(request, extra_context=None):
    # The admin's own login form would skip the login throttle and the second factor: send it to treem's.
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), login_url=reverse("accounts:login"))


admin.site.login = _login_through_treem


class AssignmentInline(NoDeleteMixin, admin.TabularInline):
    model = Assignment
    extra = 0
    raw_id_fields = ["unit", "agency"]


@admin.register(User)
class UserAdmin(NoDeleteMixin, BaseUserAdmin):
    fieldsets = [*BaseUserAdmin.fieldsets, ("treem", {"fields": ["full_name", "phone"]})]
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    inlines = [AssignmentInline]
    actions = ["reset_two_factor"]

    @admin.action(description=gettext_lazy("Reset two-factor authentication (the user sets it up again)"))
    def reset_two_factor(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                two_factor_reset(actor=request.user, user=user, request=request)
                done += 1
            except NotAllowed:
                self.message_user(request, _("Not allowed for %(user)s.") % {"user": user}, messages.ERROR)
        if done:
            self.message_user(request, _("Two-factor authentication was reset for %(count)s users.") % {"count": done})


class SuccessionInline(NoDeleteMixin, admin.TabularInline):
    model = AgencySuccession
    fk_name = "predecessor"
    extra = 0
    raw_id_fields = ["successor"]


@admin.register(Agency)
class AgencyAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "province", "valid_from", "valid_to"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "name_folded"]
    raw_id_fields = ["province", "unit", "parent"]
    inlines = [SuccessionInline]

    def save_model(self, request, obj, form, change):
        obj.name_folded = fold(obj.name)  # the search column; services do the same
        super().save_model(request, obj, form, change)
