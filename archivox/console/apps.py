from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "archivox.console"
    label = "console"
