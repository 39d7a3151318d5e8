"""Creators' Stripe Express accounts: "Get paid" onboarding and the status that follows Stripe."""

from django.db import transaction
from django.utils.translation import gettext as _

from creators.models import CreatorProfile
from marketplace.errors import PermissionDeniedError
from marketplace.models import User
from marketplace.services import audit_record, notify_user
from payments import gateway
from payments.models import ConnectedAccount


def connected_account_onboarding_url(
    *, creator: CreatorProfile, by_user: User, return_url: str, refresh_url: str
) -> str:
    """Create the creator's Express account on first use, and a fresh onboarding link each time."""
    if creator.user_id != by_user.pk:
        raise PermissionDeniedError(_("Only the creator can set up their own payouts."))
    account = ConnectedAccount.objects.filter(creator=creator).first()
    if account is None:
        data = gateway.account_create(
            email=by_user.email,
            country=str(creator.country.code or "ID"),
            metadata={"creator": str(creator.pk)},
            idempotency_key=f"account-creator-{creator.pk}",
        )
        with transaction.atomic():
            account, created = ConnectedAccount.objects.get_or_create(
                creator=creator, defaults={"stripe_id": data["id"]}
            )
            if created:
                audit_record(actor=by_user, action="stripe_account.created", target=account)
        _apply(account, data)
    return gateway.account_link_create(
        account_id=account.stripe_id, refresh_url=refresh_url, return_url=return_url
    )


def _apply(account: ConnectedAccount, data: dict) -> ConnectedAccount:
    requirements = (data.get("requirements") or {}).get("currently_due") or []
    values = {
        "details_submitted": bool(data.get("details_submitted")),
        "payouts_enabled": bool(data.get("payouts_enabled")),
        "requirements_due": list(requirements),
    }
    changed = [field for field, value in values.items() if getattr(account, field) != value]
    if changed:
        for field in changed:
            setattr(account, field, values[field])
        account.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=None, action="stripe_account.updated", target=account, data={"fields": changed})
    return account


def connected_account_sync(*, stripe_id: str) -> ConnectedAccount | None:
    """Fetch the account from Stripe and keep its flags: what `account.updated` and the return
    page both do (the event only says something changed; Stripe's copy is the truth)."""
    account = ConnectedAccount.objects.filter(stripe_id=stripe_id).first()
    if account is None:
        return None
    return _apply(account, gateway.account_retrieve(stripe_id))


def connected_account_bank_failure(*, stripe_id: str, reason: str) -> ConnectedAccount | None:
    from django.urls import reverse

    account = ConnectedAccount.objects.select_related("creator__user").filter(stripe_id=stripe_id).first()
    if account is None:
        return None
    account.last_payout_failure = reason[:500]
    account.save(update_fields=["last_payout_failure", "updated_at"])
    notify_user(
        user=account.creator.user,
        kind="payout.bank_failed",
        key=f"payout.bank_failed:{account.pk}:{reason[:40]}",
        params={"reason": reason[:300]},
        url=reverse("payments:earnings"),
    )
    return account
