"""The one door to Stripe. Nothing else in the code imports `stripe`.

Configured by STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_API_BASE (the local emulator by
default, https://api.stripe.com in production). Amounts cross this door as Decimal + currency and
become minor units only here, by the exponent table below.

Every call names its outcome in our own terms, so callers never catch Stripe's classes:
- `Declined`: Stripe answered and refused (a 4xx); nothing happened, and the reason is shown;
- `Unclear`: no answer, or a 5xx / 429 after sending; the request may or may not have taken effect,
  so the caller must look it up before trying anything new.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings

# Decimal places Stripe expects per currency (https://docs.stripe.com/currencies, "minor units").
# Zero-decimal currencies take whole units; IDR and USD take hundredths. Extend with care: a wrong
# exponent moves money by a factor of 100.
CURRENCY_EXPONENTS: dict[str, int] = {
    "IDR": 2,
    "USD": 2,
    "EUR": 2,
    "SGD": 2,
    "MYR": 2,
    "AUD": 2,
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "BHD": 3,
    "KWD": 3,
}


class GatewayError(Exception):
    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


# Why Stripe refused a transfer, in Kolabo's terms (payments.models.Payout.FailureCode holds the same
# values with their labels). People read what each means for them, never Stripe's own message.
REASON_ACCOUNT_NOT_READY = "account_not_ready"  # the creator's account cannot receive payouts (yet)
REASON_ACCOUNT_MISSING = "account_missing"  # Stripe does not know the destination account
REASON_BALANCE_LOW = "balance_low"  # the platform's available balance is lower than the transfer
REASON_UNKNOWN = "unknown"

# Stripe error codes (docs.stripe.com/error-codes) behind each reason.
_REASONS = {
    "insufficient_capabilities_for_transfer": REASON_ACCOUNT_NOT_READY,
    "transfers_not_allowed": REASON_ACCOUNT_NOT_READY,
    "payouts_not_allowed": REASON_ACCOUNT_NOT_READY,
    "account_closed": REASON_ACCOUNT_NOT_READY,
    "capability_disabled": REASON_ACCOUNT_NOT_READY,
    "balance_insufficient": REASON_BALANCE_LOW,
    "insufficient_funds": REASON_BALANCE_LOW,
    "resource_missing": REASON_ACCOUNT_MISSING,
    "account_invalid": REASON_ACCOUNT_MISSING,
}


class Declined(GatewayError):
    """Stripe refused the request: nothing was done."""

    @property
    def reason(self) -> str:
        """Kolabo's reason code for Stripe's error code (REASON_*)."""
        return _REASONS.get(self.code, REASON_UNKNOWN)


class Unclear(GatewayError):
    """The outcome is unknown (timeout, connection lost, server error): look it up before retrying."""


class BadSignature(GatewayError):
    """A webhook whose signature or timestamp does not verify."""


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency.upper()]
    except KeyError:
        raise ValueError(f"no minor-unit exponent for currency {currency!r}") from None


def to_minor(amount: Decimal, currency: str) -> int:
    """Decimal("1500000.00") IDR → 150000000. Refuses amounts finer than the currency allows."""
    if not isinstance(amount, Decimal):
        raise TypeError("amounts are Decimal, never float")
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} has more decimals than {currency} allows")
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """150000000 IDR → Decimal("1500000.00")."""
    places = exponent(currency)
    return Decimal(int(minor)).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def _client() -> stripe.StripeClient:
    # No automatic network retries: a retry is a decision for the caller, with its own key.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def _options(idempotency_key: str | None = None, account: str | None = None) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    if account:
        options["stripe_account"] = account
    return options


def _call(method, params: dict | None = None, **options):
    try:
        if params is None:
            return method(options=options)
        return method(params=params, options=options)
    except (stripe.APIConnectionError, stripe.RateLimitError) as error:
        raise Unclear(str(error.user_message or error)) from error
    except stripe.APIError as error:
        raise Unclear(str(error.user_message or error)) from error
    except stripe.StripeError as error:
        # 409: the same idempotency key is still being processed; its outcome is not known yet.
        if error.http_status is not None and (error.http_status >= 500 or error.http_status == 409):
            raise Unclear(str(error.user_message or error)) from error
        raise Declined(str(error.user_message or error), code=getattr(error, "code", "") or "") from error


def _plain(obj) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


# Connect accounts


def account_create(*, email: str, country: str, metadata: dict[str, str], idempotency_key: str) -> dict:
    params = {
        "type": "express",
        "email": email,
        "country": country,
        "capabilities": {"transfers": {"requested": True}},
        "metadata": metadata,
    }
    return _plain(_call(_client().v1.accounts.create, params, **_options(idempotency_key)))


def account_retrieve(account_id: str) -> dict:
    return _plain(_call(lambda options: _client().v1.accounts.retrieve(account_id, options=options)))


def account_link_create(*, account_id: str, refresh_url: str, return_url: str) -> str:
    params = {
        "account": account_id,
        "refresh_url": refresh_url,
        "return_url": return_url,
        "type": "account_onboarding",
    }
    return _call(_client().v1.account_links.create, params).url


# Checkout (funding)


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    status: str
    payment_status: str
    amount_total: int
    currency: str
    payment_intent: str | None
    metadata: dict[str, str]


def _session(data) -> CheckoutSession:
    data = _plain(data)
    intent = data.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return CheckoutSession(
        id=data["id"],
        url=data.get("url") or "",
        status=data.get("status") or "",
        payment_status=data.get("payment_status") or "",
        amount_total=int(data.get("amount_total") or 0),
        currency=(data.get("currency") or "").upper(),
        payment_intent=intent,
        metadata=dict(data.get("metadata") or {}),
    )


def checkout_session_create(
    *,
    amount: Decimal,
    currency: str,
    name: str,
    success_url: str,
    cancel_url: str,
    reference: str,
    metadata: dict[str, str],
    idempotency_key: str,
) -> CheckoutSession:
    params = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": to_minor(amount, currency),
                    "product_data": {"name": name},
                },
                "quantity": 1,
            }
        ],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": reference,
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
    }
    return _session(_call(_client().v1.checkout.sessions.create, params, **_options(idempotency_key)))


def checkout_session_retrieve(session_id: str) -> CheckoutSession:
    return _session(
        _call(lambda options: _client().v1.checkout.sessions.retrieve(session_id, options=options))
    )


# Transfers (payouts to creators) and refunds


@dataclass(frozen=True)
class Transfer:
    id: str
    amount: int
    currency: str
    destination: str
    transfer_group: str
    reversed: bool
    metadata: dict[str, str]


def _transfer(data) -> Transfer:
    data = _plain(data)
    destination = data.get("destination")
    if isinstance(destination, dict):
        destination = destination.get("id")
    return Transfer(
        id=data["id"],
        amount=int(data["amount"]),
        currency=(data.get("currency") or "").upper(),
        destination=destination or "",
        transfer_group=data.get("transfer_group") or "",
        reversed=bool(data.get("reversed")),
        metadata=dict(data.get("metadata") or {}),
    )


def transfer_create(
    *,
    amount: Decimal,
    currency: str,
    destination: str,
    transfer_group: str,
    metadata: dict[str, str],
    idempotency_key: str,
) -> Transfer:
    params = {
        "amount": to_minor(amount, currency),
        "currency": currency.lower(),
        "destination": destination,
        "transfer_group": transfer_group,
        "metadata": metadata,
    }
    return _transfer(_call(_client().v1.transfers.create, params, **_options(idempotency_key)))


def transfer_retrieve(transfer_id: str) -> Transfer:
    return _transfer(_call(lambda options: _client().v1.transfers.retrieve(transfer_id, options=options)))


def payout_retrieve(payout_id: str, *, account: str) -> dict:
    """A connected account's bank payout as Stripe has it now (a `payout.failed` event is only a trigger)."""
    return _plain(
        _call(
            lambda options: _client().v1.payouts.retrieve(payout_id, options=options),
            **_options(account=account),
        )
    )


def transfers_for_group(transfer_group: str) -> list[Transfer]:
    """Every transfer Stripe holds for the group: how an unclear send is looked up."""
    listing = _call(_client().v1.transfers.list, {"transfer_group": transfer_group, "limit": 100})
    return [_transfer(item) for item in _plain(listing)["data"]]


def refund_create(
    *, payment_intent: str, amount: Decimal, currency: str, metadata: dict, idempotency_key: str
) -> dict:
    params = {"payment_intent": payment_intent, "amount": to_minor(amount, currency), "metadata": metadata}
    return _plain(_call(_client().v1.refunds.create, params, **_options(idempotency_key)))


# Test mode only: money and ready accounts for the demo (payments.services.sandbox)


def is_test_mode() -> bool:
    """Test keys (and the local emulator's) never move real money."""
    return settings.STRIPE_SECRET_KEY.startswith(("sk_test_", "rk_test_"))


def _require_test_mode() -> None:
    if not is_test_mode():
        raise GatewayError("Refused: this only runs with a Stripe test-mode key, never a live one.")


# Stripe's test card 4000000000000077: "the charge succeeds and funds are added directly to your
# available balance, bypassing your pending balance" (docs.stripe.com/testing, "Available balance").
BYPASS_PENDING_CARD = "pm_card_bypassPending"
# A fixed acceptance time keeps a retried account creation identical under its idempotency key.
SANDBOX_TOS_DATE = 1735689600  # 2025-01-01


def sandbox_balance_top_up(
    *, amount: Decimal, currency: str, metadata: dict[str, str], idempotency_key: str
) -> dict:
    """Put `amount` straight into the platform's available balance (test mode only)."""
    _require_test_mode()
    params = {
        "amount": to_minor(amount, currency),
        "currency": currency.lower(),
        "payment_method": BYPASS_PENDING_CARD,
        "payment_method_types": ["card"],
        "confirm": True,
        "description": "Kolabo test-mode top-up of the available balance",
        "metadata": metadata,
    }
    return _plain(_call(_client().v1.payment_intents.create, params, **_options(idempotency_key)))


def sandbox_account_create_ready(
    *,
    email: str,
    country: str,
    first_name: str,
    last_name: str,
    metadata: dict[str, str],
    idempotency_key: str,
) -> dict:
    """A Custom connected account given every onboarding requirement with Stripe's test values, so it
    can receive transfers at once (test mode only: real creators onboard through Express)."""
    _require_test_mode()
    params = {
        "type": "custom",
        "email": email,
        "country": country,
        "capabilities": {"transfers": {"requested": True}},
        "business_type": "individual",
        "business_profile": {"mcc": "7311", "url": "https://kolabo.example"},
        "individual": {"first_name": first_name or "Demo", "last_name": last_name or "Creator"},
        "external_account": "btok_us_verified",
        "tos_acceptance": {"date": SANDBOX_TOS_DATE, "ip": "127.0.0.1"},
        "metadata": metadata,
    }
    return _plain(_call(_client().v1.accounts.create, params, **_options(idempotency_key)))


def balance() -> dict[str, Decimal]:
    """The platform's available balance per currency."""
    data = _plain(_call(lambda options: _client().v1.balance.retrieve(options=options)))
    result: dict[str, Decimal] = {}
    for entry in data.get("available", []):
        currency = entry["currency"].upper()
        if currency in CURRENCY_EXPONENTS:
            result[currency] = from_minor(entry["amount"], currency)
    return result


# Webhooks


def webhook_event(payload: bytes, signature: str) -> dict[str, Any]:
    """The verified event (signature over the raw body, timestamp within Stripe's 300 s tolerance)."""
    try:
        event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise BadSignature(str(error)) from error
    return _plain(event)
