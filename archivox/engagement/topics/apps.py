from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementTopicsConfig(AppConfig):
    name = "archivox.engagement.topics"
    label = "engagement_topics"
    verbose_name = _("Topics")
