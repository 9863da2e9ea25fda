from django.urls import include, path

app_name = "sandbox"
urlpatterns = [
    path("wechat/", include("archivox.sandbox.wechat.urls")),
    path("weibo/", include("archivox.sandbox.weibo.urls")),
    path("oai/", include("archivox.sandbox.oai.urls")),
]
