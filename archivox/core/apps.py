from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig


class CoreConfig(AppConfig):
    # The one "archivox.core" in INSTALLED_APPS means (this module holds other configs too).
    default = True
    name = "archivox.core"
    label = "core"
    verbose_name = _("Archives and staff")


# Third-party apps shown in the admin under a name in the staff's language; only the name
# changes (same app, label, models and start-up), INSTALLED_APPS names these classes.
class AxesConfig(AxesAppConfig):
    verbose_name = _("Login attempts")


class TOTPConfig(TOTPAppConfig):
    verbose_name = _("Two-step login")
