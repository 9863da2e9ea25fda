from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HarvestingConfig(AppConfig):
    name = "archivox.harvesting"
    verbose_name = _("Harvesting and union catalog")
