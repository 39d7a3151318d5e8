"""Payouts: staff review, then one Stripe Transfer per payout, never two.

- A completed paid collaboration opens a payout request (payments.services.escrow).
- Staff approve (the amount is frozen and the creator's Stripe account must take payouts),
  reject with a reason, or hold; bulk approve runs approve per payout and reports each.
- After commit, a Celery task sends the transfer with the deterministic idempotency key
  payout-<id>-<attempt> and transfer_group payout-<id>. The status moves approved → processing
  under a row lock first, so 20 workers racing on one payout send one request.
- Outcomes: paid; failed (Stripe refused: the reason is kept, the ledger posting reversed);
  unknown (no answer): reconciliation looks the transfer up by its group before anything else,
  and only resends with the same key when Stripe holds none.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Collaboration
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import User
from marketplace.money import format_money
from marketplace.services import audit_record
from payments import gateway
from payments.ledger import Leg, creator_payable, escrow_reserved, post
from payments.models import Account, ConnectedAccount, LedgerEntry, LedgerTransaction, Payout
from webhooks import events as webhook_events

S = Payout.Status
Kind = LedgerTransaction.Kind
REASON_MAX = Payout._meta.get_field("review_note").max_length
# Seconds before an unclear send is looked up: long enough for Stripe to have finished it.
RECONCILE_AFTER = 30


def _notify_creator(payout: Payout, kind: str, **extra) -> None:
    from django.urls import reverse

    from campaigns.notifications import notify_user

    notify_user(
        user=payout.creator.user,
        kind=kind,
        key=f"{kind}:{payout.pk}:{payout.attempt}",
        params={
            "amount": format_money(payout.amount, payout.currency),
            "campaign": payout.collaboration.campaign.title,
            **extra,
        },
        url=reverse("payments:earnings"),
    )


def payout_request(*, collaboration: Collaboration, amount=None) -> Payout:
    """Open a payout for what the collaboration owes the creator (none may be live already)."""
    owed = creator_payable(collaboration_id=collaboration.pk) if amount is None else amount
    if owed <= 0:
        raise InvalidTransition(_("Nothing is owed to the creator for this collaboration."))
    if Payout.objects.filter(collaboration=collaboration).exclude(status__in=Payout.DEAD).exists():
        raise InvalidTransition(_("This collaboration already has a payout under way."))
    reserved = _reserved_for(collaboration)
    payout = Payout.objects.create(
        collaboration=collaboration,
        creator_id=collaboration.creator_id,
        amount=owed,
        reserved_amount=reserved,
        currency=collaboration.currency,
    )
    audit_record(actor=None, action="payout.requested", target=payout, to_status=payout.status)
    transaction.on_commit(lambda: _notify_creator(payout, "payout.requested"))
    return payout


def _reserved_for(collaboration: Collaboration):
    """What escrow ever reserved for the collaboration: the ceiling of any payout for it."""
    reserved = LedgerEntry.objects.filter(
        account=Account.CAMPAIGN_ESCROW,
        collaboration=collaboration,
        transaction__kind=Kind.RESERVE,
    ).aggregate(total=Sum("amount"))["total"]
    return -(reserved or 0) or escrow_reserved(collaboration_id=collaboration.pk)


def _require_reviewer(user: User) -> None:
    if not (user and user.is_authenticated and user.is_staff):
        raise PermissionDeniedError(_("Only Kolabo staff review payouts."))


def _locked(payout_id: int) -> Payout:
    return (
        Payout.objects.select_for_update()
        .select_related("collaboration__campaign", "creator__user")
        .get(pk=payout_id)
    )


def _review(payout: Payout, status: str, *, by_user: User, note: str, action: str) -> None:
    before = payout.status
    payout.status = status
    payout.review_note = note
    payout.reviewed_by = by_user
    payout.reviewed_at = timezone.now()
    payout.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    audit_record(
        actor=by_user, action=action, target=payout, from_status=before, to_status=status, reason=note
    )


def payout_approve(*, payout: Payout, by_user: User) -> Payout:
    """Approve and queue the transfer. The amount is frozen now; sending happens after commit."""
    _require_reviewer(by_user)
    with transaction.atomic():
        payout = _locked(payout.pk)
        if payout.status not in Payout.REVIEWABLE:
            raise InvalidTransition(
                _("Only payouts waiting for review or on hold can be approved; this one is %(status)s.")
                % {"status": payout.get_status_display().lower()}
            )
        account = ConnectedAccount.objects.filter(creator_id=payout.creator_id).first()
        if account is None or not account.payouts_enabled:
            raise InvalidTransition(
                _(
                    "%(creator)s has not finished setting up Stripe payouts yet; hold the payout until they do."
                )
                % {"creator": payout.creator.display_name}
            )
        payout.destination = account.stripe_id
        payout.save(update_fields=["destination"])
        _review(payout, S.APPROVED, by_user=by_user, note="", action="payout.approved")
        transaction.on_commit(lambda: _queue_send(payout.pk))
    return payout


def _queue_send(payout_id: int) -> None:
    from payments.tasks import payout_send as task

    task.delay(payout_id)


def payout_reject(*, payout: Payout, by_user: User, reason: str) -> Payout:
    _require_reviewer(by_user)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(_("Say why the payout is rejected; the creator will read it."), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            _("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}, field="reason"
        )
    with transaction.atomic():
        payout = _locked(payout.pk)
        if payout.status not in Payout.REVIEWABLE:
            raise InvalidTransition(_("Only payouts waiting for review or on hold can be rejected."))
        _review(payout, S.REJECTED, by_user=by_user, note=reason, action="payout.rejected")
        transaction.on_commit(lambda: _notify_creator(payout, "payout.rejected", reason=reason))
    return payout


def payout_hold(*, payout: Payout, by_user: User, note: str = "") -> Payout:
    _require_reviewer(by_user)
    note = " ".join((note or "").split())[:REASON_MAX]
    with transaction.atomic():
        payout = _locked(payout.pk)
        if payout.status != S.REQUESTED:
            raise InvalidTransition(_("Only payouts waiting for review can be put on hold."))
        _review(payout, S.HELD, by_user=by_user, note=note, action="payout.held")
    return payout


def payouts_approve_many(*, payout_ids: list[int], by_user: User) -> dict[int, str]:
    """Approve each payout in its own transaction; returns, per id, "" or why it was not approved."""
    _require_reviewer(by_user)
    results: dict[int, str] = {}
    for payout in Payout.objects.filter(pk__in=payout_ids).order_by("pk"):
        try:
            payout_approve(payout=payout, by_user=by_user)
        except (InvalidTransition, ValidationFailed) as error:
            results[payout.pk] = error.message
        else:
            results[payout.pk] = ""
    return results


# Sending


def _post_sent(payout: Payout) -> None:
    campaign_id = payout.collaboration.campaign_id
    post(
        kind=Kind.PAYOUT,
        reference=f"payout:{payout.pk}:{payout.attempt}",
        currency=payout.currency,
        campaign_id=campaign_id,
        collaboration_id=payout.collaboration_id,
        legs=[
            Leg(
                Account.CREATOR_PAYABLE,
                payout.amount,
                campaign_id,
                payout.collaboration_id,
                payout.creator_id,
            ),
            Leg(Account.STRIPE_CLEARING, -payout.amount, campaign_id),
        ],
    )


def _post_reversal(payout: Payout) -> None:
    campaign_id = payout.collaboration.campaign_id
    post(
        kind=Kind.PAYOUT_REVERSAL,
        reference=f"payout-reversal:{payout.pk}:{payout.attempt}",
        currency=payout.currency,
        campaign_id=campaign_id,
        collaboration_id=payout.collaboration_id,
        legs=[
            Leg(Account.STRIPE_CLEARING, payout.amount, campaign_id),
            Leg(
                Account.CREATOR_PAYABLE,
                -payout.amount,
                campaign_id,
                payout.collaboration_id,
                payout.creator_id,
            ),
        ],
    )


def payout_send(*, payout_id: int) -> str:
    """Send the approved payout's transfer. A payout already sending, or unclear, is reconciled
    instead: this runs again after a crash and must not send a second time."""
    with transaction.atomic():
        payout = _locked(payout_id)
        if payout.status == S.PROCESSING and not _stale(payout):
            return payout.status  # another worker is sending it right now
        if payout.status in (S.PROCESSING, S.UNKNOWN):
            resume = True
        elif payout.status != S.APPROVED:
            return payout.status
        else:
            resume = False
            payout.status = S.PROCESSING
            payout.attempt += 1
            payout.sending_at = timezone.now()
            payout.save(update_fields=["status", "attempt", "sending_at"])
            _post_sent(payout)
            audit_record(actor=None, action="payout.sending", target=payout, to_status=S.PROCESSING)
    if resume:
        return payout_reconcile(payout_id=payout_id)
    return _transfer(payout)


def _stale(payout: Payout) -> bool:
    """Sending for longer than any request takes: its worker died."""
    started = payout.sending_at or payout.reviewed_at
    return started is None or timezone.now() - started > timedelta(seconds=settings.PAYOUT_STALE_SECONDS)


def _transfer(payout: Payout) -> str:
    try:
        transfer = gateway.transfer_create(
            amount=payout.amount,
            currency=payout.currency,
            destination=payout.destination,
            transfer_group=payout.transfer_group,
            metadata={"payout": str(payout.pk), "attempt": str(payout.attempt)},
            idempotency_key=payout.idempotency_key,
        )
    except gateway.Declined as error:
        return _settle(payout.pk, failed=error.message or error.code)
    except gateway.Unclear:
        return _settle(payout.pk, unknown=True)
    return _settle(payout.pk, transfer_id=transfer.id)


def _settle(payout_id: int, *, transfer_id: str = "", failed: str = "", unknown: bool = False) -> str:
    with transaction.atomic():
        payout = _locked(payout_id)
        if payout.status not in (S.PROCESSING, S.UNKNOWN):
            return payout.status
        before = payout.status
        if transfer_id:
            payout.status, payout.transfer_id, payout.paid_at = S.PAID, transfer_id, timezone.now()
            payout.save(update_fields=["status", "transfer_id", "paid_at"])
            transaction.on_commit(lambda: _notify_creator(payout, "payout.paid"))
        elif failed:
            payout.status, payout.failure_reason = S.FAILED, failed[:500]
            payout.save(update_fields=["status", "failure_reason"])
            _post_reversal(payout)
            transaction.on_commit(lambda: _notify_creator(payout, "payout.failed", reason=failed[:300]))
        else:
            payout.status = S.UNKNOWN
            payout.save(update_fields=["status"])
            transaction.on_commit(lambda: _queue_reconcile(payout.pk, countdown=RECONCILE_AFTER))
        audit_record(
            actor=None,
            action=f"payout.{payout.status}",
            target=payout,
            from_status=before,
            to_status=payout.status,
            reason=failed,
            data={"transfer": transfer_id, "attempt": payout.attempt},
        )
        webhook_events.payout_settled(payout)
    return payout.status


def _queue_reconcile(payout_id: int, countdown: int = 0) -> None:
    from payments.tasks import payout_reconcile as task

    task.apply_async((payout_id,), countdown=countdown)


def payout_reconcile(*, payout_id: int) -> str:
    """Resolve a payout whose send has no clear outcome: ask Stripe for the transfer group first.

    Found → paid. Not found → the request never took effect; send again with the same key (Stripe
    returns the original if it did after all). An unanswered lookup raises gateway.Unclear so the
    task retries later; nothing is sent meanwhile.
    """
    payout = Payout.objects.select_related("collaboration").get(pk=payout_id)
    if payout.status not in (S.PROCESSING, S.UNKNOWN) or (
        payout.status == S.PROCESSING and not _stale(payout)
    ):
        return payout.status
    transfers = [
        t
        for t in gateway.transfers_for_group(payout.transfer_group)
        if t.metadata.get("payout") == str(payout.pk) and not t.reversed
    ]
    if transfers:
        return _settle(payout.pk, transfer_id=transfers[0].id)
    return _transfer(payout)


def payouts_reconcile_stale() -> int:
    """Beat: payouts left sending or unclear (a worker died mid-way) are looked up again."""
    cutoff = timezone.now() - timedelta(seconds=settings.PAYOUT_STALE_SECONDS)
    stale = Payout.objects.filter(status__in=[S.PROCESSING, S.UNKNOWN], sending_at__lt=cutoff)
    ids = list(stale.values_list("pk", flat=True))
    for payout_id in ids:
        _queue_reconcile(payout_id)
    return len(ids)


def payout_transfer_seen(*, payout_id: int, transfer: gateway.Transfer) -> str:
    """Stripe says (webhook) this transfer exists, as fetched just now: an unclear payout is paid;
    a paid one whose transfer was reversed has failed, and the creator is owed again."""
    if not transfer.reversed:
        payout = Payout.objects.get(pk=payout_id)
        if payout.status in (S.PROCESSING, S.UNKNOWN):
            return _settle(payout_id, transfer_id=transfer.id)
        return payout.status
    with transaction.atomic():
        payout = _locked(payout_id)
        if payout.status != S.PAID or payout.transfer_id != transfer.id:
            return payout.status
        reason = _("Stripe reversed the transfer.")
        payout.status, payout.failure_reason = S.FAILED, reason
        payout.save(update_fields=["status", "failure_reason"])
        _post_reversal(payout)
        audit_record(
            actor=None, action="payout.reversed", target=payout, from_status=S.PAID, to_status=S.FAILED
        )
        transaction.on_commit(lambda: _notify_creator(payout, "payout.failed", reason=reason))
    return payout.status
