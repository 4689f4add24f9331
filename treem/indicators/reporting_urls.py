from django.urls import path

from . import reporting_views

urlpatterns = [
    path("targets/<uuid:pk>/", reporting_views.binding, name="binding"),
    path("submissions/<uuid:pk>/values/", reporting_views.submission_values, name="submission_values"),
]
