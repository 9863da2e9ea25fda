from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementReservationsConfig(AppConfig):
    name = "archivox.engagement.reservations"
    label = "engagement_reservations"
    verbose_name = _("Reservations")
