"""Notification kinds of the creators app: what an organization hears about its roster creators."""

from django.utils.translation import gettext_lazy as _

from marketplace.notifications import register


def register_kinds() -> None:
    register(
        "roster.claimed",
        text=_("%(creator)s claimed the profile your roster import created; it is now listed on Kolabo."),
        subject=_("A roster creator claimed their profile"),
    )
    register(
        "roster.deleted",
        text=_(
            "A creator your organization imported (%(account)s, imported on %(date)s) asked for their data "
            "to be deleted, and Kolabo deleted it. Do not import them again without their consent."
        ),
        subject=_("A roster creator's data was deleted at their request"),
    )
