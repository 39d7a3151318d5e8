"""Refunds: closing or cancelling a campaign refunds the unspent escrow, with its share of the fee.

The ledger moves the money to "refunds due" at once; each Stripe refund (a Celery task) settles its part.
Several payments (the organization's own, sponsors') share the unspent escrow pro rata to what each
can still give back, and each part goes back through the payment that brought it in (docs/money.md,
"Sponsorship"). Commissions creators earned come first: waiting ones are paid from the escrow before
anything is refunded, and what still waits keeps its part of the escrow.
"""

from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import DecimalField, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.notifications import notify_org
from marketplace.money import format_money
from marketplace.queueing import enqueue
from payments import gateway, tasks
from payments.ledger import CENT, ZERO, Leg, escrow_available, money, post
from payments.models import Account, CampaignFunding, CampaignRefund, LedgerTransaction

Kind = LedgerTransaction.Kind


def refund_shares(unspent: Decimal, refundable: list[Decimal]) -> list[Decimal]:
    """Split `unspent` over fundings pro rata to what each can still give back (its escrow less
    what was refunded from it), in cents, never above any funding's own part.

    Each payer bears the campaign's spend in proportion to what it put in: a sponsor that paid
    half the escrow gets half the unspent money back. The cents left by rounding down go one by
    one to the largest remainders (the earliest funding in the list on a tie)."""
    total = sum(refundable, ZERO)
    unspent = min(money(unspent), total)
    if unspent <= 0:
        return [ZERO for _part in refundable]
    exact = [unspent * part / total for part in refundable]
    shares = [value.quantize(CENT, rounding=ROUND_DOWN) for value in exact]
    left_over = int((unspent - sum(shares, ZERO)) / CENT)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:left_over]:
        shares[i] += CENT
    return shares


def campaign_refund_unspent(*, campaign: Campaign, by_user=None) -> list[CampaignRefund]:
    """Refund what the campaign funded and will not spend, with the matching share of the fee.

    Split over the campaign's paid fundings pro rata to what each can still give back
    (refund_shares), each part refunded through the payment that brought it in: a sponsor's part
    goes back to the sponsor's card, the NGO's or brand's to theirs. The ledger moves the money to
    "refunds due" now (naming the sponsor on a sponsor's part); each Stripe refund settles its part.

    A commission a creator earned is never refunded: commissions waiting for funding are paid from
    the escrow first (oldest first, each whole), and the escrow that those still waiting need stays,
    so the organization's top-up is only the rest (funding.commission_top_up).
    """
    from payments.services.commissions import commissions_post_funded, commissions_waiting_total

    refunds: list[CampaignRefund] = []
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk").get()
        commissions_post_funded(campaign_id=campaign.pk)
        unspent = escrow_available(
            campaign_id=campaign.pk, currency=campaign.currency
        ) - commissions_waiting_total(campaign_id=campaign.pk, currency=campaign.currency)
        if unspent <= 0:
            return refunds
        fundings = list(
            CampaignFunding.objects.filter(campaign=campaign, status=CampaignFunding.Status.PAID)
            .select_related("sponsorship")
            .annotate(refunded=Coalesce(Sum("refunds__escrow_amount"), ZERO, output_field=DecimalField()))
            .order_by("-paid_at", "-pk")
        )
        fundings = [f for f in fundings if f.escrow_amount - f.refunded > 0]
        shares = refund_shares(unspent, [f.escrow_amount - f.refunded for f in fundings])
        for funding, escrow_part in zip(fundings, shares, strict=True):
            if escrow_part <= 0:
                continue
            refund = CampaignRefund.objects.create(
                campaign=campaign,
                funding=funding,
                escrow_amount=escrow_part,
                fee_amount=money(escrow_part * funding.fee_rate),
                currency=funding.currency,
            )
            post(
                kind=Kind.REFUND_DUE,
                reference=f"refund-due:{refund.pk}",
                currency=refund.currency,
                campaign_id=campaign.pk,
                by_user=by_user,
                sponsor_id=_sponsor_id(funding),
                legs=[
                    Leg(Account.CAMPAIGN_ESCROW, refund.escrow_amount, campaign.pk),
                    Leg(Account.PLATFORM_REVENUE, refund.fee_amount, campaign.pk),
                    Leg(Account.REFUNDS, -refund.total, campaign.pk),
                ],
            )
            refunds.append(refund)
        for refund in refunds:
            transaction.on_commit(lambda pk=refund.pk: _queue_refund(pk))
    return refunds


def _sponsor_id(funding: CampaignFunding) -> int | None:
    return funding.sponsorship.sponsor_id if funding.sponsorship_id else None


def _queue_refund(refund_id: int) -> None:
    enqueue(tasks.refund_send, refund_id)  # a broker outage is logged; refunds_requeue_pending sends it later


def refund_send(*, refund_id: int) -> str:
    """Send one refund to Stripe (idempotency key refund-<id>); offline fundings settle at once."""
    refund = CampaignRefund.objects.select_related("funding__sponsorship", "campaign").get(pk=refund_id)
    if refund.status == CampaignRefund.Status.PAID:
        return refund.status
    if refund.funding.payment_intent_id:
        result = gateway.refund_create(
            payment_intent=refund.funding.payment_intent_id,
            amount=refund.total,
            currency=refund.currency,
            metadata={"refund": str(refund.pk), "campaign": str(refund.campaign_id)},
            idempotency_key=f"refund-{refund.pk}",
        )
        stripe_id = result["id"]
    else:
        stripe_id = ""  # recorded offline: staff return it the way it came
    with transaction.atomic():
        refund = CampaignRefund.objects.select_for_update().get(pk=refund.pk)
        if refund.status == CampaignRefund.Status.PAID:
            return refund.status
        refund.status = CampaignRefund.Status.PAID
        refund.stripe_refund_id = stripe_id
        refund.paid_at = timezone.now()
        refund.save(update_fields=["status", "stripe_refund_id", "paid_at"])
        sponsor_id = _sponsor_id(refund.funding)
        post(
            kind=Kind.REFUND_PAID,
            reference=f"refund-paid:{refund.pk}",
            currency=refund.currency,
            campaign_id=refund.campaign_id,
            sponsor_id=sponsor_id,
            legs=[
                Leg(Account.REFUNDS, refund.total, refund.campaign_id),
                Leg(Account.STRIPE_CLEARING, -refund.total, refund.campaign_id),
            ],
        )
        if sponsor_id is not None:
            notify_org(
                organization=sponsor_id,
                kind="sponsorship.refunded",
                key=f"sponsorship.refunded:{refund.pk}",
                params={
                    "campaign": refund.campaign.title,
                    "amount": format_money(refund.total, refund.currency),
                },
                url=reverse("campaigns:sponsorship_detail", args=[refund.funding.sponsorship_id]),
            )
    return refund.status
