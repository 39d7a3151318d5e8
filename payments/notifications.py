"""Notification kinds for money: payouts and creators' Stripe accounts."""

from django.utils.translation import gettext_lazy as _

from marketplace.notifications import register

KINDS = {
    "payout.requested": (
        _("Your fee of %(amount)s for “%(campaign)s” is waiting for Kolabo's review before it is paid."),
        _("Your payout is waiting for review: %(campaign)s"),
    ),
    "payout.paid": (
        _("%(amount)s for “%(campaign)s” was sent to your Stripe account."),
        _("You were paid for %(campaign)s"),
    ),
    "payout.failed": (
        _(
            "Sending %(amount)s for “%(campaign)s” did not work. Your earnings page says why and what happens next."
        ),
        _("Payment problem: %(campaign)s"),
    ),
    "payout.rejected": (
        _("Kolabo did not approve the payout of %(amount)s for “%(campaign)s”: %(reason)s"),
        _("Payout not approved: %(campaign)s"),
    ),
    "payout.closed": (
        _("Kolabo closed the payout of %(amount)s for “%(campaign)s” without paying it: %(reason)s"),
        _("Payout closed: %(campaign)s"),
    ),
    "payout.bank_failed": (
        _("Stripe could not pay out to your bank account. Check your bank details in your Stripe account."),
        _("Your bank payout failed"),
    ),
}

for _kind, (_text, _subject) in KINDS.items():
    register(_kind, text=_text, subject=_subject)
