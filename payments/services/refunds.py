"""Refunds: closing or cancelling a campaign refunds the unspent escrow, with its share of the fee.

The ledger moves the money to "refunds due" at once; each Stripe refund (a Celery task) settles its part.
"""

from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign
from marketplace.queueing import enqueue
from payments import gateway, tasks
from payments.ledger import Leg, escrow_available, money, post
from payments.models import Account, CampaignFunding, CampaignRefund, LedgerTransaction

Kind = LedgerTransaction.Kind


def campaign_refund_unspent(*, campaign: Campaign, by_user=None) -> list[CampaignRefund]:
    """Refund what the campaign funded and will not spend, with the matching share of the fee.

    Split over the campaign's Stripe payments, newest first, never above what each can still give
    back. The ledger moves the money to "refunds due" now; each Stripe refund settles its part.
    """
    refunds: list[CampaignRefund] = []
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk").get()
        unspent = escrow_available(campaign_id=campaign.pk, currency=campaign.currency)
        if unspent <= 0:
            return refunds
        fundings = list(
            CampaignFunding.objects.filter(campaign=campaign, status=CampaignFunding.Status.PAID).order_by(
                "-paid_at", "-pk"
            )
        )
        left = unspent
        for funding in fundings:
            if left <= 0:
                break
            escrow_part = min(left, funding.escrow_amount - funding.escrow_refunded)
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
                legs=[
                    Leg(Account.CAMPAIGN_ESCROW, refund.escrow_amount, campaign.pk),
                    Leg(Account.PLATFORM_REVENUE, refund.fee_amount, campaign.pk),
                    Leg(Account.REFUNDS, -refund.total, campaign.pk),
                ],
            )
            refunds.append(refund)
            left -= escrow_part
        for refund in refunds:
            transaction.on_commit(lambda pk=refund.pk: _queue_refund(pk))
    return refunds


def _queue_refund(refund_id: int) -> None:
    enqueue(tasks.refund_send, refund_id)  # a broker outage is logged; refunds_requeue_pending sends it later


def refund_send(*, refund_id: int) -> str:
    """Send one refund to Stripe (idempotency key refund-<id>); offline fundings settle at once."""
    refund = CampaignRefund.objects.select_related("funding").get(pk=refund_id)
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
        post(
            kind=Kind.REFUND_PAID,
            reference=f"refund-paid:{refund.pk}",
            currency=refund.currency,
            campaign_id=refund.campaign_id,
            legs=[
                Leg(Account.REFUNDS, refund.total, refund.campaign_id),
                Leg(Account.STRIPE_CLEARING, -refund.total, refund.campaign_id),
            ],
        )
    return refund.status
