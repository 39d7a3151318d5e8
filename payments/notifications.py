"""Notification kinds for money: payouts and creators' Stripe accounts."""

from django.utils.translation import gettext_lazy as _

from marketplace.notifications import CREATOR, ORGANIZATION, register

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

# Commissions (payments.services.commissions): one kind per event, worded for each side.
COMMISSION_KINDS = {
    "commission.payable": {
        CREATOR: (
            _(
                "Your commission of %(amount)s on “%(campaign)s” is owed to you (conversions counted: "
                "%(conversions)s). It is paid after Kolabo's review."
            ),
            _("Commission owed to you: %(campaign)s"),
        ),
        ORGANIZATION: (
            _(
                "%(creator)s earned a commission of %(amount)s on “%(campaign)s” (conversions counted: "
                "%(conversions)s). It is paid from the campaign's escrow after Kolabo's review."
            ),
            _("Commission owed: %(campaign)s"),
        ),
    },
    "commission.unfunded": {
        CREATOR: (
            _(
                "Your commission of %(amount)s on “%(campaign)s” is owed to you (conversions counted: "
                "%(conversions)s). Kolabo pays it once %(organization)s has funded it."
            ),
            _("Commission owed to you: %(campaign)s"),
        ),
        ORGANIZATION: (
            _(
                "%(creator)s earned a commission of %(amount)s on “%(campaign)s”, and the escrow holds "
                "%(available)s. Add %(shortfall)s to the escrow: Kolabo pays the commission once it is funded."
            ),
            _("Fund a commission: %(campaign)s"),
        ),
    },
}

for _kind, _audiences in COMMISSION_KINDS.items():
    _text, _subject = next(iter(_audiences.values()))
    register(_kind, text=_text, subject=_subject, audiences=_audiences)
