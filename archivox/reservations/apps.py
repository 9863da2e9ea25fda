from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReservationsConfig(AppConfig):
    name = "archivox.reservations"
    # The label (and so the table names and migration history) of installations made before
    # this app left archivox/engagement/.
    label = "engagement_reservations"
    verbose_name = _("Reservations")

    def ready(self) -> None:
        from archivox.reservations import personal_data

        personal_data.register()
