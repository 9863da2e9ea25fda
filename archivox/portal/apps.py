from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "archivox.portal"
    label = "portal"
