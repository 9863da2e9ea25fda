"""Staff pages, mounted at /console/polls/."""

from django.urls import path

from archivox.polls import console_views

app_name = "console_polls"
urlpatterns = [
    path("", console_views.index, name="index"),
    path("<int:pk>/", console_views.questionnaire_detail, name="detail"),
    path("<int:pk>/export.csv", console_views.export_csv, name="export_csv"),
    path("<int:pk>/export.xlsx", console_views.export_xlsx, name="export_xlsx"),
]
