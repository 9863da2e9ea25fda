from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "archivox.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from archivox.publishing import checks  # noqa: F401 - registers the system checks
