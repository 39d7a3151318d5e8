from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Kolabo core")

    def ready(self):
        from allauth.mfa.signals import authenticator_added

        from .adapters import record_mfa_activation

        authenticator_added.connect(record_mfa_activation, dispatch_uid="kolabo.record_mfa_activation")
