from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollsConfig(AppConfig):
    name = "archivox.polls"
    # The label (and so the table names and migration history) of installations made before
    # this app left archivox/engagement/.
    label = "engagement_polls"
    verbose_name = _("Polls and questionnaires")

    def ready(self) -> None:
        from archivox.polls import personal_data

        personal_data.register()
