from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TopicsConfig(AppConfig):
    name = "archivox.topics"
    # The label (and so the table names and migration history) of installations made before
    # this app left archivox/engagement/.
    label = "engagement_topics"
    verbose_name = _("Topics")

    def ready(self) -> None:
        from archivox.topics import personal_data

        personal_data.register()
