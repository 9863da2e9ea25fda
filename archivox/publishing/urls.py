"""Public pages, mounted at /archives/<slug>/posts/."""

from django.urls import path

from archivox.publishing import views

app_name = "posts"
urlpatterns = [
    path("", views.post_list, name="list"),
    path("<int:pk>/", views.post_detail, name="detail"),
    path("<int:pk>/cover/", views.post_cover, name="cover"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("subscribe/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
