from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("jobs/<uuid:pk>/", views.job_status, name="job"),
    path("files/<uuid:pk>/", views.prepared_file, name="file"),
]
