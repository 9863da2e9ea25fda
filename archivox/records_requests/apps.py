from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsRequestsConfig(AppConfig):
    name = "archivox.records_requests"
    label = "records_requests"
    verbose_name = _("Records-use requests")

    def ready(self) -> None:
        from archivox.records_requests import personal_data

        personal_data.register()
