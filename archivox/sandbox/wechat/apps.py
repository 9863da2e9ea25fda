from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SandboxWeChatConfig(AppConfig):
    name = "archivox.sandbox.wechat"
    label = "sandbox_wechat"
    verbose_name = _("WeChat API sandbox")
