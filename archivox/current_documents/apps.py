from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CurrentDocumentsConfig(AppConfig):
    name = "archivox.current_documents"
    label = "current_documents"
    verbose_name = _("Current documents")
