from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementPollsConfig(AppConfig):
    name = "archivox.engagement.polls"
    label = "engagement_polls"
    verbose_name = _("Polls and questionnaires")
