"""Notification kinds for brand sponsorships of NGO campaigns (campaigns.services.sponsorship).

Both sides are organizations, so every kind has the organization wording only; `other` is always
the name of the organization that acted, never the reader's own.
"""

from django.utils.translation import gettext_lazy as _

from marketplace.notifications import ORGANIZATION, register

KINDS = {
    "sponsorship.invited": (
        _(
            "%(other)s invites you to sponsor “%(campaign)s” with %(amount)s. Answer from your sponsorships page."
        ),
        _("Sponsorship invitation: %(campaign)s"),
    ),
    "sponsorship.offered": (
        _(
            "%(other)s offers to sponsor “%(campaign)s” with %(amount)s. Accept or decline it on the campaign's page."
        ),
        _("Sponsorship offer: %(campaign)s"),
    ),
    "sponsorship.accepted": (
        _("%(other)s accepted the sponsorship of “%(campaign)s” (%(amount)s)."),
        _("Sponsorship accepted: %(campaign)s"),
    ),
    "sponsorship.declined": (
        _("%(other)s declined the sponsorship of “%(campaign)s” (%(amount)s)."),
        _("Sponsorship declined: %(campaign)s"),
    ),
    "sponsorship.withdrawn": (
        _("%(other)s withdrew the sponsorship of “%(campaign)s” (%(amount)s)."),
        _("Sponsorship withdrawn: %(campaign)s"),
    ),
    "sponsorship.funded": (
        _(
            "%(other)s paid %(amount)s into the escrow of “%(campaign)s”. It pays this campaign's creators only."
        ),
        _("Sponsor funding received: %(campaign)s"),
    ),
    "sponsorship.refunded": (
        _("Kolabo refunded %(amount)s of unspent escrow from “%(campaign)s” to your payment."),
        _("Refund from %(campaign)s"),
    ),
}

for _kind, (_text, _subject) in KINDS.items():
    register(_kind, text=_text, subject=_subject, audiences={ORGANIZATION: (_text, _subject)})
