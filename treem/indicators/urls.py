from django.urls import include, path

app_name = "indicators"
urlpatterns = [
    path("", include("treem.indicators.reporting_urls")),
]
