from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.units, name="units"),
    path("units/<str:system>/<str:level>/<str:code>/", views.unit_detail, name="unit"),
    path("agencies/", views.agencies, name="agencies"),
]
