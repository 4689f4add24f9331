from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.child_list, name="list"),
    path("export.<str:fmt>", views.child_export, name="export"),
    path("new/", views.child_create, name="create"),
    path("check/", views.child_check, name="check"),
    path("incoming/", views.incoming, name="incoming"),
    path("communes/", views.commune_search, name="communes"),
    path("import/", views.import_start, name="import_start"),
    path("import/<uuid:pk>/", views.import_detail, name="import"),
    path("import/<uuid:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("import/<uuid:pk>/sheet/", views.import_sheet, name="import_sheet"),
    path("import/<uuid:pk>/commit/", views.import_commit, name="import_commit"),
    path("import/<uuid:pk>/rejected.xlsx", views.import_rejected, name="import_rejected"),
    path("<uuid:pk>/", views.child_detail, name="child"),
    path("<uuid:pk>/edit/", views.child_edit, name="edit"),
    path("<uuid:pk>/print/", views.child_print, name="print"),
    path("<uuid:pk>/move/", views.child_move, name="move"),
    path("<uuid:pk>/move/cancel/", views.child_cancel_move, name="cancel_move"),
    path("<uuid:pk>/accept/", views.child_accept, name="accept"),
    path("<uuid:pk>/status/", views.child_status, name="status"),
    path("<uuid:pk>/circumstances/", views.circumstance_add, name="circumstance_add"),
    path("<uuid:pk>/circumstances/<int:item>/end/", views.circumstance_end, name="circumstance_end"),
    path("<uuid:pk>/risks/", views.risk_add, name="risk_add"),
    path("<uuid:pk>/risks/<int:item>/end/", views.risk_end, name="risk_end"),
    path("<uuid:pk>/carers/", views.carer_add, name="carer_add"),
    path("<uuid:pk>/carers/<int:item>/remove/", views.carer_remove, name="carer_remove"),
    path("<uuid:pk>/measurements/", views.measurement_add, name="measurement_add"),
]
