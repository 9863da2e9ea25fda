from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from archivox.api import api
from archivox.catalog import oai
from archivox.core import views as core_views
from archivox.engagement.views.wechat import wechat_callback

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=static("portal/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("oai", oai.oai_endpoint, name="oai"),
    path("wechat/<slug:slug>/callback", wechat_callback, name="wechat_callback"),
    path("console/", include("archivox.console.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("archivox.portal.urls")),
]

if settings.SANDBOX:
    # Stand-ins for WeChat and Weibo; never mounted in production.
    urlpatterns.insert(0, path("sandbox/", include("archivox.sandbox.urls")))
