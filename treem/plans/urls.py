from django.urls import path

from . import upload, views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("documents/<uuid:pk>/", views.document_detail, name="document"),
    path("documents/<uuid:pk>/edit/", views.document_edit, name="document_edit"),
    path("documents/<uuid:pk>/file/", views.document_file, name="document_file"),
    path("documents/<uuid:pk>/source/", views.document_source, name="document_source"),
    path("upload/", views.upload, name="upload"),
    path("upload/<uuid:pk>/", upload.upload_run, name="upload_run"),
    path("drafts/<uuid:pk>/", views.draft_review, name="draft"),
    path("drafts/<uuid:pk>/discard/", views.draft_discard_view, name="draft_discard"),
    path("targets/<uuid:pk>/edit/", views.target_edit, name="target_edit"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<uuid:pk>/", views.task_detail, name="task"),
    path("tasks/<uuid:pk>/schedule/", views.task_schedule, name="task_schedule"),
    path("agencies/", views.agency_overview, name="agencies"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<uuid:pk>/", views.round_detail, name="round"),
    path("rounds/<uuid:pk>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<uuid:pk>/compare/", views.round_compare, name="round_compare"),
    path("rounds/<uuid:pk>/consolidate/", views.round_consolidate, name="round_consolidate"),
    path("rounds/<uuid:pk>/start/", views.submission_begin, name="submission_begin"),
    path("reports/<uuid:pk>/<str:fmt>/", views.report_file, name="report_file"),
    path("submissions/<uuid:pk>/", views.submission_detail, name="submission"),
    path("submissions/<uuid:pk>/<str:action>/", views.submission_review, name="submission_review"),
    path("attachments/<uuid:pk>/", views.attachment_file, name="attachment"),
    path("my/", views.my_obligations, name="my"),
    path("reminders/<int:pk>/read/", views.reminder_read, name="reminder_read"),
]
