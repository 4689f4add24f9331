from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    path("", include("treem.web.urls")),
    path("accounts/", include("treem.accounts.urls")),
    path("audit/", include("treem.audit.urls")),
    path("", include("treem.core.urls")),
    path("children/quality/", include("treem.registry.quality.urls")),
    path("children/", include("treem.registry.urls")),
    path("cases/", include("treem.cases.urls")),
    path("plans/", include("treem.plans.urls")),
    path("indicators/", include("treem.indicators.urls")),
    path("child-friendly/", include("treem.childfriendly.urls")),
    path("privacy/", include("treem.privacy.urls")),
    path("api/v1/", include("treem.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

# MEDIA_ROOT is never served as such, not even with DEBUG: case attachments, reports and exports are confidential and
# reach people only through views that check who asks and log it.

# treem's own error pages, in Vietnamese with a way back (treem/web/errors.py).
handler403 = "treem.web.errors.permission_denied"
handler404 = "treem.web.errors.page_not_found"
handler500 = "treem.web.errors.server_error"
