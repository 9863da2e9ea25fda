"""Staff pages, mounted at /console/service-hall/."""

from django.urls import path

from archivox.service_hall import console_views

app_name = "console_service_hall"
urlpatterns = [
    path("", console_views.index, name="index"),
    path("<slug:slug>/", console_views.account_overview, name="account"),
    path("<slug:slug>/menu/", console_views.menu_editor, name="menu"),
    path("<slug:slug>/notifications/", console_views.notifications, name="notifications"),
    path("<slug:slug>/templates/", console_views.notification_templates, name="templates"),
]
