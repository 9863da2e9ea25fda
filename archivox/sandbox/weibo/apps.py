from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SandboxWeiboConfig(AppConfig):
    name = "archivox.sandbox.weibo"
    label = "sandbox_weibo"
    verbose_name = _("Weibo API sandbox")
    default_auto_field = "django.db.models.BigAutoField"
