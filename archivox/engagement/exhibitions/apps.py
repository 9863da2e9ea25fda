from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementExhibitionsConfig(AppConfig):
    name = "archivox.engagement.exhibitions"
    label = "engagement_exhibitions"
    verbose_name = _("Exhibitions and events")
