from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExhibitionsConfig(AppConfig):
    name = "archivox.exhibitions"
    # The label (and so the table names and migration history) of installations made before
    # this app left archivox/engagement/.
    label = "engagement_exhibitions"
    verbose_name = _("Exhibitions and events")
