from importlib import import_module

from django.apps import apps
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views
from .auth import ObtainTokenView

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("agencies", views.AgencyViewSet, basename="agency")

# Each treem app may add its endpoints in `<app>/api.py` with `def register(router) -> None`.
for config in apps.get_app_configs():
    if config.name.startswith("treem.") and config.name != "treem.api":
        try:
            import_module(f"{config.name}.api").register(router)
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api":
                raise

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("me/", views.MeView.as_view(), name="me"),
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("", include(router.urls)),
    # Anything else under /api/v1/ ending in "/" (an id the router's pattern refuses, e.g. "0.5"): a JSON 404 like
    # DRF's, not the HTML page. Without the final "/", CommonMiddleware still redirects to the slashed URL.
    re_path(r"^.*/$", views.not_found, name="not-found"),
]
