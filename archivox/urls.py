from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from archivox.api import api
from archivox.catalog import oai
from archivox.consultations.views.wechat import wechat_callback
from archivox.core import views as core_views
from archivox.portal.sitemaps import SITEMAPS
from archivox.records_requests import views as records_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=static("portal/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("oai", oai.oai_endpoint, name="oai"),
    path("iiif/", include("archivox.catalog.iiif.urls")),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap_index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("verify/<str:code>", records_views.verify, name="records_verify"),
    path("wechat/<slug:slug>/callback", wechat_callback, name="wechat_callback"),
    path("feeds/", include("archivox.publishing.feed_urls")),
    path("console/publishing/", include("archivox.publishing.console_urls")),
    path("console/inbox/", include("archivox.consultations.console_urls")),
    path("console/reservations/", include("archivox.reservations.console_urls")),
    path("console/records/", include("archivox.records_requests.console_urls")),
    path("console/exhibitions/", include("archivox.exhibitions.console_urls")),
    path("console/polls/", include("archivox.polls.console_urls")),
    path("console/topics/", include("archivox.topics.console_urls")),
    path("console/collecting/", include("archivox.collecting.console_urls")),
    path("console/current-documents/", include("archivox.current_documents.console_urls")),
    path("console/promotion/", include("archivox.promotion.console_urls")),
    path("console/service-hall/", include("archivox.service_hall.console_urls")),
    # Before the console's own routes: the login that knows two-factor codes.
    path("console/login/", core_views.StaffLoginView.as_view(), name="staff_login"),
    path("console/two-factor/", core_views.two_factor_settings, name="two_factor"),
    path("console/", include("archivox.console.urls")),
    path("archives/<slug:slug>/posts/", include("archivox.publishing.urls")),
    path("archives/<slug:slug>/ask/", include("archivox.consultations.urls")),
    path("archives/<slug:slug>/reservations/", include("archivox.reservations.urls")),
    path("archives/<slug:slug>/records/", include("archivox.records_requests.urls")),
    path("archives/<slug:slug>/exhibitions/", include("archivox.exhibitions.urls")),
    path("archives/<slug:slug>/polls/", include("archivox.polls.urls")),
    path("archives/<slug:slug>/topics/", include("archivox.topics.urls")),
    path("union/", include("archivox.harvesting.urls")),
    path("console/harvesting/", include("archivox.harvesting.console_urls")),
    path("archives/<slug:slug>/collecting/", include("archivox.collecting.urls")),
    path("archives/<slug:slug>/current-documents/", include("archivox.current_documents.urls")),
    path("p/", include("archivox.promotion.urls")),
    path("archives/<slug:slug>/wechat/", include("archivox.service_hall.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("archivox.portal.urls")),
]

if settings.SANDBOX:
    # Stand-ins for WeChat and Weibo; never mounted in production.
    urlpatterns.insert(0, path("sandbox/", include("archivox.sandbox.urls")))
