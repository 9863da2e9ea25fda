from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceHallConfig(AppConfig):
    name = "archivox.service_hall"
    label = "service_hall"
    verbose_name = _("WeChat service hall")
