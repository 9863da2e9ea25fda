from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "archivox.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from archivox.catalog.iiif.receivers import on_access_changed
        from archivox.catalog.signals import access_changed

        access_changed.connect(on_access_changed, dispatch_uid="catalog.iiif.purge")
