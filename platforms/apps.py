from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "platforms"
    verbose_name = _("Platform connections")

    def ready(self):
        from . import notifications  # noqa: F401 - registers the notification kinds
