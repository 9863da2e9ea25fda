from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "archivox.engagement"
    label = "engagement"
    verbose_name = _("Engagement")

    def ready(self) -> None:
        from archivox.core.models import Archive, PlatformAccount
        from archivox.engagement import personal_data

        personal_data.register()
        from archivox.engagement.selectors import wechat_account_cache_clear

        def forget_accounts(**kwargs) -> None:
            wechat_account_cache_clear()

        # Not business logic: only this process's cache of callback accounts is dropped.
        for model in (PlatformAccount, Archive):
            post_save.connect(forget_accounts, sender=model, weak=False, dispatch_uid=f"cb-{model}")
            post_delete.connect(
                forget_accounts, sender=model, weak=False, dispatch_uid=f"cb-del-{model}"
            )
