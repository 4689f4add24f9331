from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/assignments/", views.assignment_new, name="assignment_new"),
    path("users/<int:pk>/lock/", views.user_lock, name="user_lock"),
    path("users/<int:pk>/password/", views.user_password_reset, name="user_password_reset"),
    path("users/<int:pk>/2fa-reset/", views.user_two_factor_reset, name="two_factor_reset"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("2fa/", views.two_factor_verify, name="two_factor_verify"),
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/recovery/", views.recovery_codes, name="recovery_codes"),
    path("2fa/recovery/download/", views.recovery_codes_download, name="recovery_codes_download"),
]
