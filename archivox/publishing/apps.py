from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "archivox.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from archivox.catalog.signals import access_changed
        from archivox.core.audit_labels import audit_value_labels_register
        from archivox.publishing import checks  # noqa: F401 - registers the system checks
        from archivox.publishing.models import CHANNEL_LABELS
        from archivox.publishing.tasks import on_access_changed

        # The catalog may not import publishing (it is a lower layer), so it announces changes
        # of access and publishing listens, to recall copies that quote a reclassified item.
        access_changed.connect(on_access_changed, dispatch_uid="publishing.recall")
        # The audit log names channels as the console does.
        audit_value_labels_register("publishing.post", "channels", CHANNEL_LABELS)
        audit_value_labels_register("publishing.delivery", "channel", CHANNEL_LABELS)
