from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "archivox.consultations"
    # The label (and so the table names and migration history) of installations made when this
    # app was archivox/engagement/.
    label = "engagement"
    verbose_name = _("Engagement")

    def ready(self) -> None:
        from archivox.consultations import personal_data
        from archivox.consultations.models import ConsultationAnswer
        from archivox.core.audit_labels import audit_value_labels_register
        from archivox.core.models import Archive, PlatformAccount

        personal_data.register()
        # An answer's entry is the consultation's: how it went out and whether it arrived are
        # the answer's choices, named as the inbox names them.
        for key, choices in (("via", ConsultationAnswer.Via), ("state", ConsultationAnswer.State)):
            audit_value_labels_register("engagement.consultation", key, dict(choices.choices))
        from archivox.consultations.selectors import wechat_account_cache_clear

        def forget_accounts(**kwargs) -> None:
            wechat_account_cache_clear()

        # Not business logic: only this process's cache of callback accounts is dropped.
        for model in (PlatformAccount, Archive):
            post_save.connect(forget_accounts, sender=model, weak=False, dispatch_uid=f"cb-{model}")
            post_delete.connect(
                forget_accounts, sender=model, weak=False, dispatch_uid=f"cb-del-{model}"
            )
