from django.urls import path

from . import views

app_name = "quality"
urlpatterns = [
    path("", views.index, name="index"),
    path("province/<str:code>/", views.province, name="province"),
    path("commune/<str:code>/", views.commune, name="commune"),
    path("check/", views.check, name="check"),
    path("job/<uuid:pk>/", views.job, name="job"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/run/", views.duplicates_run, name="duplicates_run"),
    path("duplicates/<uuid:pk>/", views.pair, name="pair"),
    path("duplicates/<uuid:pk>/merge/", views.pair_merge, name="pair_merge"),
    path("duplicates/<uuid:pk>/not-same/", views.pair_not_same, name="pair_not_same"),
    path("children/<uuid:pk>/history/", views.history, name="history"),
    path("linkage/", views.linkage, name="linkage"),
    path("linkage/<uuid:pk>/", views.linkage_run, name="linkage_run"),
    path("corrections/<uuid:pk>/<str:decision>/", views.correction_decide, name="correction_decide"),
    path("cleaning/", views.cleaning_start, name="cleaning"),
    path("cleaning/<uuid:pk>/", views.cleaning_round, name="cleaning_round"),
    path("cleaning/<uuid:pk>/sheet.xlsx", views.cleaning_sheet, name="cleaning_sheet"),
    path("cleaning/<uuid:pk>/upload/", views.cleaning_upload, name="cleaning_upload"),
    path("cleaning/<uuid:pk>/review/", views.cleaning_review, name="cleaning_review"),
    path("cleaning/<uuid:pk>/apply/", views.cleaning_apply, name="cleaning_apply"),
    path("recheck/", views.rechecks, name="rechecks"),
    path("recheck/new/", views.recheck_new, name="recheck_new"),
    path("recheck/<uuid:pk>/", views.recheck, name="recheck"),
    path("recheck/<uuid:pk>/sheet.xlsx", views.recheck_sheet, name="recheck_sheet"),
    path("recheck/<uuid:pk>/items/<int:position>/", views.recheck_item, name="recheck_item"),
]
