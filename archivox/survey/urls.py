from django.urls import path

from archivox.survey import views

app_name = "survey"
urlpatterns = [
    path("", views.survey_index, name="index"),
    path("setup/", views.survey_setup, name="setup"),
    path("<slug:slug>/", views.survey_report, name="report"),
    path("<slug:slug>/report.<str:format>", views.survey_report_download, name="download"),
]
