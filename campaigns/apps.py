from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from creators.signals import matching_inputs_changed

        from . import (
            notifications,  # noqa: F401 - registers the notification kinds
            sponsorship_notifications,  # noqa: F401 - and the sponsorship ones
        )

        matching_inputs_changed.connect(_creators_changed, dispatch_uid="campaigns.creators_changed")


def _creators_changed(sender, profile_ids, **kwargs):
    from campaigns.tasks import creators_changed
    from marketplace.queueing import enqueue

    enqueue(creators_changed, profile_ids)
