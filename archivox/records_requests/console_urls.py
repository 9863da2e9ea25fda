"""Staff pages, mounted at /console/records/."""

from django.urls import path

from archivox.records_requests import console_views

app_name = "console_records"
urlpatterns = [
    path("", console_views.index, name="index"),
    path("<slug:slug>/", console_views.queue, name="queue"),
    path("<slug:slug>/report/", console_views.report, name="report"),
    path("<slug:slug>/<int:pk>/", console_views.detail, name="detail"),
    path("<slug:slug>/<int:pk>/act/", console_views.act, name="act"),
    path("<slug:slug>/<int:pk>/uploads/<int:upload_pk>/", console_views.upload, name="upload"),
    path("<slug:slug>/<int:pk>/copies/<int:copy_pk>/", console_views.copy_file, name="copy"),
]
