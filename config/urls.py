from django.conf import settings
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
    path("api/v1/", include("treem.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
