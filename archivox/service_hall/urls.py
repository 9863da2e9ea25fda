"""Public pages of the service hall, mounted at /archives/<slug>/wechat/."""

from django.urls import path

from archivox.service_hall import views

app_name = "service_hall"
urlpatterns = [
    path("authorised/", views.wechat_auth_return, name="wechat_auth_return"),
]
