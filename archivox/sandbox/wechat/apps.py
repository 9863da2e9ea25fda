from django.apps import AppConfig


class SandboxWeChatConfig(AppConfig):
    name = "archivox.sandbox.wechat"
    label = "sandbox_wechat"
    verbose_name = "WeChat API sandbox"
