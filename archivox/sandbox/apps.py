from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SandboxConfig(AppConfig):
    name = "archivox.sandbox"
    label = "sandbox"
    verbose_name = _("Platform sandboxes")
