from django.apps import AppConfig


class SandboxWeiboConfig(AppConfig):
    name = "archivox.sandbox.weibo"
    label = "sandbox_weibo"
    verbose_name = "Weibo sandbox"
    default_auto_field = "django.db.models.BigAutoField"
