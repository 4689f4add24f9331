from django.urls import path

from . import views

app_name = "childfriendly"
urlpatterns = [
    path("", views.index, name="index"),
    path("standard/", views.standard, name="standard"),
    path("start/", views.start, name="start"),
    path("<int:pk>/", views.assessment, name="assessment"),
    path("<int:pk>/criterion/<int:number>/", views.criterion, name="criterion"),
    path("<int:pk>/files/", views.file_add, name="file_add"),
    path("<int:pk>/files/<int:file_pk>/", views.file_download, name="file_download"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/return/", views.return_, name="return"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/appraise/", views.appraise, name="appraise"),
    path("province/<str:code>/", views.province, name="province"),
    path("province/<str:code>/recognise/", views.recognise, name="recognise"),
    path("decision/<int:pk>/<str:which>.<str:fmt>", views.decision_document, name="decision_document"),
]
