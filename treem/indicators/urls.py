from django.urls import include, path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.index, name="index"),
    path("province/<str:code>/", views.province, name="province"),
    path("province/<str:code>/communes/", views.scorecard, name="scorecard"),
    path("province/<str:code>/<str:indicator_code>/", views.indicator, name="indicator"),
    path("province/<str:code>/<str:indicator_code>/export.xlsx", views.indicator_export, name="export"),
    path("commune/<str:code>/", views.commune, name="commune"),
    path("", include("treem.indicators.reporting_urls")),
]
