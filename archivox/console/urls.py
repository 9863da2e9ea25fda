from django.contrib.auth import views as auth_views
from django.urls import include, path

from archivox.console import views

app_name = "console"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(template_name="console/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log, name="audit"),
    path("archives/<slug:slug>/audit/", views.audit_log, name="archive_audit"),
    path("survey/", include("archivox.survey.urls")),
]
