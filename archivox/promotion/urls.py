"""Short links of posters, mounted at /p/."""

from django.urls import path

from archivox.promotion import views

app_name = "promotion"
urlpatterns = [path("<str:code>", views.short_link, name="short_link")]
