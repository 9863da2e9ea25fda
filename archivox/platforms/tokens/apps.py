from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformTokensConfig(AppConfig):
    name = "archivox.platforms.tokens"
    label = "platform_tokens"
    verbose_name = _("Platform access tokens")
