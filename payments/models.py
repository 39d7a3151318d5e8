"""Money: the ledger, campaign funding, creators' Stripe accounts, payouts and Stripe events.

Amounts are Decimal with 2 places plus an ISO currency; minor units exist only in payments.gateway.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MONEY = {"max_digits": 16, "decimal_places": 2}
CURRENCY = {"max_length": 3, "choices": settings.CURRENCIES}


class Account(models.TextChoices):
    """The ledger's accounts. Entries are signed: debit positive, credit negative.

    stripe_clearing (asset: money held at Stripe) = campaign_escrow + creator_payable + refunds +
    platform_revenue (what we owe brands, creators, and keep).
    """

    STRIPE_CLEARING = "stripe_clearing", _("Stripe clearing")
    CAMPAIGN_ESCROW = "campaign_escrow", _("Campaign escrow")
    CREATOR_PAYABLE = "creator_payable", _("Creator payable")
    PLATFORM_REVENUE = "platform_revenue", _("Platform revenue")
    REFUNDS = "refunds", _("Refunds due")


class LedgerTransaction(models.Model):
    """One business event, written once: its entries sum to zero per currency.

    `reference` is unique and derived from our own rows ("funding:<id>", "reserve:<collaboration>"),
    so the same event can never be posted twice.
    """

    class Kind(models.TextChoices):
        FUNDING = "funding", _("Campaign funded")
        RESERVE = "reserve", _("Fee reserved for a collaboration")
        RELEASE = "release", _("Reserved fee released")
        PAYABLE = "payable", _("Fee owed to the creator")
        PAYOUT = "payout", _("Payout sent")
        PAYOUT_REVERSAL = "payout_reversal", _("Payout reversed")
        PAYABLE_RETURNED = "payable_returned", _("Owed fee returned to the campaign")
        REFUND_DUE = "refund_due", _("Unspent escrow to refund")
        REFUND_PAID = "refund_paid", _("Refund paid")
        SPONSOR_FUNDING = "sponsor_funding", _("Campaign funded by a sponsor")
        COMMISSION_PAYABLE = "commission_payable", _("Commission owed to the creator")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=120, unique=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    collaboration = models.ForeignKey(
        "campaigns.Collaboration", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    # The organization whose money this is when it is not the campaign's own (a sponsor).
    sponsor = models.ForeignKey(
        "brands.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.reference}"


class LedgerEntry(models.Model):
    """One leg. Never updated or deleted: the database refuses it (migration payments 0001)."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.CharField(_("account"), max_length=20, choices=Account.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), **CURRENCY)
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    collaboration = models.ForeignKey(
        "campaigns.Collaboration",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    creator = models.ForeignKey(
        "creators.CreatorProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="payments_entry_not_zero")]
        indexes = [
            models.Index(fields=["account", "campaign", "currency"], name="payments_entry_campaign"),
            models.Index(fields=["account", "creator", "currency"], name="payments_entry_creator"),
            models.Index(fields=["account", "collaboration"], name="payments_entry_collab"),
        ]

    def __str__(self):
        return f"{self.account} {self.amount} {self.currency}"


class FeeRate(models.TextChoices):
    """Which platform fee a campaign pays (the rates are settings)."""

    BRAND = "brand", _("Brand")
    NGO = "ngo", _("NGO")
    VOLUNTEER = "volunteer", _("Volunteer campaign")


class CampaignFunding(models.Model):
    """A brand paying into a campaign's escrow through a Stripe Checkout Session."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for payment")
        PAID = "paid", pgettext_lazy("money", "Paid")
        EXPIRED = "expired", _("Expired")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="fundings", verbose_name=_("campaign")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    escrow_amount = models.DecimalField(_("for creators"), **MONEY)
    fee_amount = models.DecimalField(_("platform fee"), **MONEY)
    fee_rate = models.DecimalField(_("fee rate"), max_digits=5, decimal_places=4)
    currency = models.CharField(_("currency"), **CURRENCY)
    # Set when a sponsor (another organization) pays into the campaign, not its own organization.
    sponsorship = models.ForeignKey(
        "campaigns.Sponsorship",
        verbose_name=_("sponsorship"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fundings",
    )
    checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    payment_intent_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign funding")
        verbose_name_plural = _("campaign fundings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(escrow_amount__gt=0), name="payments_funding_escrow_positive"),
            models.CheckConstraint(condition=Q(fee_amount__gte=0), name="payments_funding_fee_not_negative"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.total} {self.currency}"

    @property
    def total(self) -> Decimal:
        return self.escrow_amount + self.fee_amount

    @property
    def escrow_refunded(self) -> Decimal:
        return self.refunds.aggregate(total=models.Sum("escrow_amount"))["total"] or Decimal("0.00")


class CampaignRefund(models.Model):
    """Unspent escrow (and its share of the fee) going back to the brand through one funding's
    Stripe payment. Idempotency key refund-<id>."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being refunded")
        PAID = "paid", _("Refunded")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="refunds")
    funding = models.ForeignKey(CampaignFunding, on_delete=models.PROTECT, related_name="refunds")
    escrow_amount = models.DecimalField(_("unspent escrow"), **MONEY)
    fee_amount = models.DecimalField(_("fee returned"), **MONEY)
    currency = models.CharField(_("currency"), **CURRENCY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    stripe_refund_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    paid_at = models.DateTimeField(_("refunded"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign refund")
        verbose_name_plural = _("campaign refunds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(escrow_amount__gt=0), name="payments_refund_positive"),
        ]

    def __str__(self):
        return f"refund {self.pk} · {self.total} {self.currency}"

    @property
    def total(self) -> Decimal:
        return self.escrow_amount + self.fee_amount


class ConnectedAccount(models.Model):
    """A creator's Stripe Express account; `payouts_enabled` follows Stripe (account.updated)."""

    creator = models.OneToOneField(
        "creators.CreatorProfile", on_delete=models.PROTECT, related_name="stripe_account"
    )
    stripe_id = models.CharField(_("Stripe account"), max_length=255, unique=True)
    details_submitted = models.BooleanField(_("details submitted"), default=False)
    payouts_enabled = models.BooleanField(_("payouts enabled"), default=False)
    requirements_due = models.JSONField(_("still needed"), default=list, blank=True)
    last_payout_failure = models.CharField(_("last bank payout failure"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("connected account")
        verbose_name_plural = _("connected accounts")

    def __str__(self):
        return self.stripe_id


class Payout(models.Model):
    """Paying a creator the fee of one completed collaboration, after staff review.

    requested → approved | rejected | held (→ approved | rejected) ; approved → processing →
    paid | failed | unknown ; unknown → paid | failed, by reconciliation. The amount is frozen at
    approval; each send attempt has its own idempotency key, payout-<id>-<attempt>.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for review")
        HELD = "held", _("On hold")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PROCESSING = "processing", _("Sending")
        PAID = "paid", pgettext_lazy("money", "Paid")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Checking with Stripe")
        CLOSED = "closed", _("Closed")

    class FailureCode(models.TextChoices):
        """Why a send failed, in Kolabo's terms (payments.gateway derives it from Stripe's code)."""

        ACCOUNT_NOT_READY = "account_not_ready", _("The creator's Stripe account cannot receive payouts")
        ACCOUNT_MISSING = "account_missing", _("The creator's Stripe account was not found")
        BALANCE_LOW = "balance_low", _("Kolabo's available Stripe balance was too low")
        REVERSED = "reversed", _("Stripe reversed the transfer")
        UNKNOWN = "unknown", _("Stripe refused it for another reason")

    class Kind(models.TextChoices):
        FEE = "fee", _("Fee")
        COMMISSION = "commission", _("Commission")

    DEAD = (Status.REJECTED, Status.FAILED, Status.CLOSED)
    REVIEWABLE = (Status.REQUESTED, Status.HELD)

    collaboration = models.ForeignKey(
        "campaigns.Collaboration",
        on_delete=models.PROTECT,
        related_name="payouts",
        verbose_name=_("collaboration"),
    )
    creator = models.ForeignKey(
        "creators.CreatorProfile", on_delete=models.PROTECT, related_name="payouts", verbose_name=_("creator")
    )
    kind = models.CharField(_("for"), max_length=12, choices=Kind.choices, default=Kind.FEE)
    amount = models.DecimalField(_("amount"), **MONEY)
    reserved_amount = models.DecimalField(_("reserved in escrow"), **MONEY)
    currency = models.CharField(_("currency"), **CURRENCY)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    attempt = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    destination = models.CharField(_("Stripe account"), max_length=255, blank=True)
    transfer_id = models.CharField(_("Stripe transfer"), max_length=255, blank=True)
    failure_code = models.CharField(
        _("why it failed"), max_length=20, choices=FailureCode.choices, blank=True
    )
    # Stripe's own message: a technical detail for staff, never shown to the creator.
    failure_reason = models.CharField(_("Stripe's message"), max_length=500, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    sending_at = models.DateTimeField(_("last send started"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "kind"],
                condition=~Q(status__in=["rejected", "failed", "closed"]),
                name="payments_payout_one_live_per_collaboration",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["fee", "commission"]), name="payments_payout_kind_valid"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payout_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount__lte=F("reserved_amount")), name="payments_payout_within_reserved"
            ),
        ]

    def __str__(self):
        return f"payout {self.pk} · {self.amount} {self.currency} · {self.status}"

    @property
    def transfer_group(self) -> str:
        return f"payout-{self.pk}"

    @property
    def idempotency_key(self) -> str:
        return f"payout-{self.pk}-{self.attempt}"

    @property
    def failure_code_or_unknown(self) -> str:
        return self.failure_code or self.FailureCode.UNKNOWN

    @property
    def creator_failure_message(self) -> str:
        """What the creator reads about a failed payout: the cause in our words and the next step."""
        return FAILURE_FOR_CREATOR[self.failure_code_or_unknown]

    @property
    def staff_failure_next_step(self) -> str:
        return FAILURE_FOR_STAFF[self.failure_code_or_unknown]

    @property
    def creator_must_finish_setup(self) -> bool:
        """The failure is fixed by the creator finishing (or redoing) their Stripe set-up."""
        return self.status == self.Status.FAILED and self.failure_code in (
            self.FailureCode.ACCOUNT_NOT_READY,
            self.FailureCode.ACCOUNT_MISSING,
        )


_F = Payout.FailureCode
FAILURE_FOR_CREATOR = {
    _F.ACCOUNT_NOT_READY: _(
        "Your Stripe account cannot receive payouts yet. Finish your Stripe set-up; Kolabo then sends "
        "this payout again."
    ),
    _F.ACCOUNT_MISSING: _(
        "We could not find your Stripe account. Set up payouts again; Kolabo then sends this payout again."
    ),
    _F.BALANCE_LOW: _(
        "Kolabo could not send this payout because of a problem on our side. You do not need to do "
        "anything: we will send it again."
    ),
    _F.REVERSED: _(
        "Stripe took this payment back. Kolabo staff are looking into it and will contact you; the fee "
        "is owed to you again."
    ),
    _F.UNKNOWN: _(
        "Stripe did not accept this payout. Kolabo staff are looking into it; you do not need to do "
        "anything yet."
    ),
}
FAILURE_FOR_STAFF = {
    _F.ACCOUNT_NOT_READY: _(
        "The creator must finish their Stripe set-up. Retry once their account shows payouts enabled."
    ),
    _F.ACCOUNT_MISSING: _(
        "Stripe does not know the creator's account. Ask them to set up payouts again, then retry."
    ),
    _F.BALANCE_LOW: _(
        "Kolabo's available Stripe balance is lower than this payout. Top up the platform balance, then retry."
    ),
    _F.REVERSED: _("The transfer was reversed at Stripe. Find out why in Stripe, then retry or close."),
    _F.UNKNOWN: _("Read Stripe's message below, fix the cause, then retry; or close the payout."),
}


class CommissionAccrual(models.Model):
    """A collaboration's commissions, made payable once when its attribution window closed.

    Ledger reference commission:<collaboration>; paid through a Payout of kind commission."""

    collaboration = models.OneToOneField(
        "campaigns.Collaboration",
        on_delete=models.PROTECT,
        related_name="commission_accrual",
        verbose_name=_("collaboration"),
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), **CURRENCY)
    conversions = models.PositiveIntegerField(_("conversions"))
    window_closed_at = models.DateTimeField(_("attribution window closed"))
    created_at = models.DateTimeField(_("accrued"), auto_now_add=True)

    class Meta:
        verbose_name = _("commission accrual")
        verbose_name_plural = _("commission accruals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payments_commission_not_negative"),
        ]

    def __str__(self):
        return f"commission {self.collaboration_id} · {self.amount} {self.currency}"


class StripeEvent(models.Model):
    """Every webhook event we accepted, once: the unique id makes redeliveries no-ops."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    account = models.CharField(max_length=255, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"
