from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from treem.core.collation import vi_key

from . import registry
from .models import AuditEvent
from .rendering import render_event
from .services import record_list, record_view


class ActionFilter(admin.SimpleListFilter):
    """The registered actions by their names, not their codes."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return sorted(((a.code, str(a.name)) for a in registry.all_actions()), key=lambda pair: vi_key(pair[1]))

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "sentence", "unit", "ip"]
    list_filter = [ActionFilter]
    list_select_related = ["actor", "unit"]
    search_fields = ["actor_label", "object_repr", "object_id"]

    @admin.display(description=_("what happened"))
    def sentence(self, event):
        return render_event(event)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # The events name the children looked at: reading them here is logged like on /audit/.
    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        shown = getattr(response, "context_data", {}).get("cl")
        record_list(request.user, "audit.auditevent.list", shown=len(shown.result_list) if shown else 0,
                    page=request.GET.get("p", 1), request=request,
                    filters={k: v[:120] for k, v in request.GET.items() if v and k != "p"})
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        event = self.get_object(request, object_id)
        if event is not None and response.status_code == 200:
            record_view(request.user, event, unit=event.unit, request=request, what="admin")
        return response
