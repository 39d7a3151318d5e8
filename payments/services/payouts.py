"""Payouts: staff review, then one Stripe Transfer per payout, never two.

- A completed paid collaboration opens a payout request for its fee (payments.services.escrow); a
  collaboration whose attribution window closed opens one for its commissions
  (payments.services.commissions). Both kinds go through the same review and sending; each kind
  has at most one live payout per collaboration, and each payout its own keys (its id is in them).
- Staff approve (the amount is frozen and the creator's Stripe account must take payouts),
  reject with a reason, or hold; bulk approve runs approve per payout and reports each.
- After commit, a Celery task sends the transfer with the deterministic idempotency key
  payout-<id>-<attempt> and transfer_group payout-<id>. The status moves approved → processing
  under a row lock first, so 20 workers racing on one payout send one request.
- Outcomes: paid; failed (Stripe refused: Kolabo's reason code and Stripe's message are kept, the
  ledger posting reversed); unknown (no answer): reconciliation looks the transfer up by its group
  before anything else, and only resends with the same key when Stripe holds none.
- A failed payout is resolved by staff: retried once the cause is fixed (a new attempt, so a new
  key payout-<id>-<attempt>, after looking the group up again), or closed with a reason, which
  returns the owed fee to the campaign's escrow (docs/money.md, "Resolving a failed payout").
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Collaboration
from marketplace import permissions as staff_permissions
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.models import User
from marketplace.money import format_money
from marketplace.queueing import enqueue
from marketplace.services import audit_record, notify_user
from payments import gateway, tasks
from payments.ledger import ZERO, Leg, escrow_reserved, post
from payments.models import Account, ConnectedAccount, LedgerEntry, LedgerTransaction, Payout
from webhooks import events as webhook_events

S = Payout.Status
F = Payout.FailureCode
Kind = LedgerTransaction.Kind
PK = Payout.Kind
REASON_MAX = Payout._meta.get_field("review_note").max_length
# Seconds before an unclear send is looked up: long enough for Stripe to have finished it.
RECONCILE_AFTER = 30


def _notify_creator(payout: Payout, kind: str, **extra) -> None:
    from django.urls import reverse

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


def payout_request(
    *, collaboration: Collaboration, amount=None, kind: str = PK.FEE, notify: bool = True
) -> Payout:
    """Open a payout of `kind` (fee or commission) for what the collaboration owes the creator;
    none of that kind may be live already. A commission's ceiling is its own amount: it is paid
    from the campaign's escrow, not from the fee reserved for the collaboration."""
    owed = payable_for(collaboration_id=collaboration.pk, kind=kind) if amount is None else amount
    if owed <= 0:
        raise InvalidTransition(_("Nothing is owed to the creator for this collaboration."))
    if Payout.objects.filter(collaboration=collaboration, kind=kind).exclude(status__in=Payout.DEAD).exists():
        raise InvalidTransition(_("This collaboration already has a payout under way."))
    reserved = owed if kind == PK.COMMISSION else _reserved_for(collaboration)
    payout = Payout.objects.create(
        collaboration=collaboration,
        creator_id=collaboration.creator_id,
        kind=kind,
        amount=owed,
        reserved_amount=reserved,
        currency=collaboration.currency,
    )
    audit_record(
        actor=None, action="payout.requested", target=payout, to_status=payout.status, data={"kind": kind}
    )
    if notify:
        transaction.on_commit(lambda: _notify_creator(payout, "payout.requested"))
    return payout


# The ledger keys a payout's postings by its id: payout:<id>:<attempt>, payout-reversal:<id>:<attempt>,
# payable-returned:<id>.
_PAYOUT_POSTINGS = (Kind.PAYOUT, Kind.PAYOUT_REVERSAL, Kind.PAYABLE_RETURNED)
_PAYABLE_POSTING = {PK.FEE: Kind.PAYABLE, PK.COMMISSION: Kind.COMMISSION_PAYABLE}


def payable_for(*, collaboration_id: int, kind: str) -> Decimal:
    """What the creator is owed for this collaboration's fee, or for its commissions, alone.

    The creator payable account holds both for a collaboration; each leg belongs to one kind through
    its posting: the fee's or the commission's payable, or a payout of that kind (2 queries)."""
    ids = {
        str(pk)
        for pk in Payout.objects.filter(collaboration_id=collaboration_id, kind=kind).values_list(
            "pk", flat=True
        )
    }
    total = ZERO
    legs = LedgerEntry.objects.filter(account=Account.CREATOR_PAYABLE, collaboration_id=collaboration_id)
    for posting, reference, amount in legs.values_list(
        "transaction__kind", "transaction__reference", "amount"
    ):
        if posting == _PAYABLE_POSTING[kind] or (
            posting in _PAYOUT_POSTINGS and reference.split(":")[1] in ids
        ):
            total += amount
    return -total


def _reserved_for(collaboration: Collaboration):
    """What escrow ever reserved for the collaboration: the ceiling of any payout for it."""
    reserved = LedgerEntry.objects.filter(
        account=Account.CAMPAIGN_ESCROW,
        collaboration=collaboration,
        transaction__kind=Kind.RESERVE,
    ).aggregate(total=Sum("amount"))["total"]
    return -(reserved or 0) or escrow_reserved(collaboration_id=collaboration.pk)


def _require_reviewer(user: User) -> None:
    staff_permissions.require_payout_reviewer(user)


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
    # A broker outage is logged; payouts_requeue_approved sends it later.
    enqueue(tasks.payout_send, payout_id)


def _reason(reason: str, *, missing: str) -> str:
    """A reason the creator reads: whitespace collapsed, required, at most REASON_MAX characters."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(missing, field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            _("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}, field="reason"
        )
    return reason


def payout_reject(*, payout: Payout, by_user: User, reason: str) -> Payout:
    _require_reviewer(by_user)
    reason = _reason(reason, missing=_("Say why the payout is rejected; the creator will read it."))
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
            retry = payout.attempt > 0  # an earlier attempt failed and staff retried it
            payout.status = S.PROCESSING
            payout.attempt += 1
            payout.sending_at = timezone.now()
            payout.save(update_fields=["status", "attempt", "sending_at"])
            _post_sent(payout)
            audit_record(actor=None, action="payout.sending", target=payout, to_status=S.PROCESSING)
    if resume:
        return payout_reconcile(payout_id=payout_id)
    if retry:
        # Never twice: a transfer Stripe still holds for this payout (one we recorded as failed,
        # or whose answer was lost) is the payment; only send when the group has none.
        try:
            live = _live_transfers(payout)
        except gateway.Unclear:
            return _settle(payout.pk, unknown=True)
        if live:
            return _settle(payout.pk, transfer_id=live[0].id)
    return _transfer(payout)


def _live_transfers(payout: Payout) -> list[gateway.Transfer]:
    return [
        t
        for t in gateway.transfers_for_group(payout.transfer_group)
        if t.metadata.get("payout") == str(payout.pk) and not t.reversed
    ]


def _stale(payout: Payout) -> bool:
    """Sending for longer than any request takes: its worker died."""
    started = payout.sending_at or payout.reviewed_at
    return started is None or timezone.now() - started > timedelta(seconds=settings.PAYOUT_STALE_SECONDS)


def _metadata(payout: Payout) -> dict[str, str]:
    # A fee payout's request stays exactly as it always was; a commission says so at Stripe.
    metadata = {"payout": str(payout.pk), "attempt": str(payout.attempt)}
    if payout.kind == PK.COMMISSION:
        metadata["kind"] = PK.COMMISSION
    return metadata


def _transfer(payout: Payout) -> str:
    try:
        transfer = gateway.transfer_create(
            amount=payout.amount,
            currency=payout.currency,
            destination=payout.destination,
            transfer_group=payout.transfer_group,
            metadata=_metadata(payout),
            idempotency_key=payout.idempotency_key,
        )
    except gateway.Declined as error:
        return _settle(payout.pk, failed=error.message or error.code, failure_code=error.reason)
    except gateway.Unclear:
        return _settle(payout.pk, unknown=True)
    return _settle(payout.pk, transfer_id=transfer.id)


def _settle(
    payout_id: int, *, transfer_id: str = "", failed: str = "", failure_code: str = "", unknown: bool = False
) -> str:
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
            payout.failure_code = failure_code or F.UNKNOWN
            payout.save(update_fields=["status", "failure_reason", "failure_code"])
            _post_reversal(payout)
            # The creator reads why on the earnings page, in Kolabo's words; never Stripe's message.
            transaction.on_commit(lambda: _notify_creator(payout, "payout.failed"))
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
            data={"transfer": transfer_id, "attempt": payout.attempt, "failure_code": payout.failure_code},
        )
        webhook_events.payout_settled(payout)
    return payout.status


def _queue_reconcile(payout_id: int, countdown: int = 0) -> None:
    # Lost to an outage: payouts_reconcile_stale finds it.
    enqueue(tasks.payout_reconcile, payout_id, countdown=countdown)


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
    transfers = _live_transfers(payout)
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
        payout.status, payout.failure_code = S.FAILED, F.REVERSED
        payout.failure_reason = f"Transfer {transfer.id} was reversed at Stripe."
        payout.save(update_fields=["status", "failure_code", "failure_reason"])
        _post_reversal(payout)
        audit_record(
            actor=None, action="payout.reversed", target=payout, from_status=S.PAID, to_status=S.FAILED
        )
        transaction.on_commit(lambda: _notify_creator(payout, "payout.failed"))
    return payout.status


# Resolving a failed payout


def payout_retry(*, payout: Payout, by_user: User) -> Payout:
    """Send a failed payout again once its cause is fixed. It goes back to approved and through the
    same send path: a new attempt (so a new idempotency key), after looking the transfer group up."""
    _require_reviewer(by_user)
    if payout.failure_code == F.BALANCE_LOW:
        _require_balance_for(payout)
    with transaction.atomic():
        payout = _locked(payout.pk)
        if payout.status != S.FAILED:
            raise InvalidTransition(
                _("Only a failed payout can be retried; this one is %(status)s.")
                % {"status": payout.get_status_display().lower()}
            )
        if (
            Payout.objects.filter(collaboration_id=payout.collaboration_id, kind=payout.kind)
            .exclude(status__in=Payout.DEAD)
            .exists()
        ):
            raise InvalidTransition(_("This collaboration already has another payout under way."))
        if payable_for(collaboration_id=payout.collaboration_id, kind=payout.kind) < payout.amount:
            raise InvalidTransition(
                _(
                    "The creator is no longer owed %(amount)s for this collaboration; there is nothing to resend."
                )
                % {"amount": format_money(payout.amount, payout.currency)}
            )
        account = ConnectedAccount.objects.filter(creator_id=payout.creator_id).first()
        if account is None or not account.payouts_enabled:
            raise InvalidTransition(
                _("%(creator)s has not finished setting up Stripe payouts yet; retry once they have.")
                % {"creator": payout.creator.display_name}
            )
        before = payout.status
        payout.status = S.APPROVED
        payout.destination = account.stripe_id
        payout.reviewed_by, payout.reviewed_at = by_user, timezone.now()
        payout.save(update_fields=["status", "destination", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=by_user,
            action="payout.retried",
            target=payout,
            from_status=before,
            to_status=S.APPROVED,
            data={"failure_code": payout.failure_code, "next_attempt": payout.attempt + 1},
        )
        transaction.on_commit(lambda: _queue_send(payout.pk))
    return payout


def _require_balance_for(payout: Payout) -> None:
    """A payout that failed for a low platform balance is only retried once the balance covers it."""
    try:
        available = gateway.balance().get(payout.currency)
    except gateway.GatewayError:
        return  # Stripe did not answer: the send itself will tell
    if available is not None and available < payout.amount:
        raise InvalidTransition(
            _(
                "Kolabo's available Stripe balance (%(available)s) is still lower than this payout "
                "(%(amount)s). Top it up, then retry."
            )
            % {
                "available": format_money(available, payout.currency),
                "amount": format_money(payout.amount, payout.currency),
            }
        )


def payout_close(*, payout: Payout, by_user: User, reason: str) -> Payout:
    """Close a failed payout that will not be retried, with a reason the creator reads.

    Its fee (or commission) is no longer owed to the creator through Kolabo: the ledger returns it
    from creator payable to the campaign's available escrow, and a campaign that no longer takes creators
    refunds it to the brand (refunds.campaign_refund_unspent)."""
    from payments.services.refunds import campaign_refund_unspent

    _require_reviewer(by_user)
    reason = _reason(reason, missing=_("Say why the payout is closed; the creator will read it."))
    with transaction.atomic():
        payout = _locked(payout.pk)
        if payout.status != S.FAILED:
            raise InvalidTransition(
                _("Only a failed payout can be closed; this one is %(status)s.")
                % {"status": payout.get_status_display().lower()}
            )
        _review(payout, S.CLOSED, by_user=by_user, note=reason, action="payout.closed")
        returned = min(payable_for(collaboration_id=payout.collaboration_id, kind=payout.kind), payout.amount)
        campaign_id = payout.collaboration.campaign_id
        if returned > 0:
            post(
                kind=Kind.PAYABLE_RETURNED,
                reference=f"payable-returned:{payout.pk}",
                currency=payout.currency,
                campaign_id=campaign_id,
                collaboration_id=payout.collaboration_id,
                by_user=by_user,
                memo=reason,
                legs=[
                    Leg(
                        Account.CREATOR_PAYABLE,
                        returned,
                        campaign_id,
                        payout.collaboration_id,
                        payout.creator_id,
                    ),
                    Leg(Account.CAMPAIGN_ESCROW, -returned, campaign_id),
                ],
            )
        if returned > 0:
            # Money back in the escrow pays commissions waiting for funding before any refund.
            from payments.services.commissions import commissions_post_funded

            commissions_post_funded(campaign_id=campaign_id)
        campaign = Campaign.objects.get(pk=campaign_id)
        if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.PUBLISHED):
            campaign_refund_unspent(campaign=campaign, by_user=by_user)
        transaction.on_commit(lambda: _notify_creator(payout, "payout.closed", reason=reason))
    return payout
