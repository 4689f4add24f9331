from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("jobs/<uuid:pk>/", views.job_status, name="job"),
    path("jobs/<uuid:pk>/retry/", views.job_retry, name="job_retry"),
    path("files/<uuid:pk>/", views.prepared_file, name="file"),
]
