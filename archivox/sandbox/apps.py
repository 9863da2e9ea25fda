from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "archivox.sandbox"
    label = "sandbox"
    verbose_name = "Platform sandboxes"
