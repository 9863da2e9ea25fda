from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectingConfig(AppConfig):
    name = "archivox.collecting"
    label = "collecting"
    verbose_name = _("Collecting from the public")

    def ready(self) -> None:
        from archivox.collecting import personal_data

        personal_data.register()
