from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("processing/", views.processing, name="processing"),
    path("processing/export/", views.processing_export, name="processing_export"),
    path("retention/", views.retention_rules, name="retention"),
    path("retention/<slug:code>/", views.retention_rule_edit, name="retention_edit"),
    path("access/", views.access_requests, name="access_requests"),
    path("access/new/<uuid:child_pk>/", views.access_request_new, name="access_request_new"),
    path("access/<uuid:pk>/", views.access_request, name="access_request"),
]
