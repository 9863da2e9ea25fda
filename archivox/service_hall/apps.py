from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceHallConfig(AppConfig):
    name = "archivox.service_hall"
    label = "service_hall"
    verbose_name = _("WeChat service hall")

    def ready(self) -> None:
        # The records-use requests (layer 3) tell the follower in WeChat through the
        # notifications (layer 2): only a layer above both may join them.
        from archivox.records_requests.services.notify import request_notifier_register
        from archivox.service_hall.services.records import records_request_wechat_notify

        request_notifier_register(records_request_wechat_notify)
