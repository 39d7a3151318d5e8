"""Serializers for payouts, earnings, campaign balances and fundings. Amounts, statuses and Stripe
ids are never inputs. Every serializer has its own ref_name, prefixed so that no other API area's
names collide with these."""

from rest_framework import serializers

from api.serializers.base import StatusField, StrictInput
from payments.models import CampaignFunding, Payout

MONEY = {"max_digits": 14, "decimal_places": 2, "read_only": True}


class PayoutOut(serializers.ModelSerializer):
    """A payout as its creator sees it: why one failed in Kolabo's words, never Stripe's message."""

    campaign = serializers.IntegerField(source="collaboration.campaign_id", read_only=True)
    campaign_title = serializers.CharField(source="collaboration.campaign.title", read_only=True)
    organization = serializers.CharField(source="collaboration.campaign.organization.slug", read_only=True)
    kind = StatusField(
        "MoneyPayoutKindEnum",
        Payout.Kind.choices,
        help_text="What the payout pays: the collaboration's fee, or the commissions its conversions earned.",
    )
    status = StatusField("MoneyPayoutStatusEnum", Payout.Status.choices)
    failure_code = StatusField(
        "MoneyPayoutFailureCodeEnum",
        [("", ""), *Payout.FailureCode.choices],
        help_text="Why the last send failed, in Kolabo's terms; empty unless it failed.",
    )
    failure_message = serializers.SerializerMethodField(
        help_text="For a failed payout: the cause and the next step, in the caller's language."
    )

    class Meta:
        model = Payout
        fields = [
            "id",
            "collaboration",
            "campaign",
            "campaign_title",
            "organization",
            "kind",
            "amount",
            "currency",
            "status",
            "failure_code",
            "failure_message",
            "review_note",
            "created_at",
            "reviewed_at",
            "paid_at",
        ]
        read_only_fields = fields
        ref_name = "MoneyPayout"

    def get_failure_message(self, payout) -> str:
        return str(payout.creator_failure_message) if payout.status == Payout.Status.FAILED else ""


class StaffPayoutOut(PayoutOut):
    """A payout in the staff review queue: who gets it and whether Stripe can take it."""

    creator = serializers.CharField(source="creator.slug", read_only=True)
    creator_name = serializers.CharField(source="creator.display_name", read_only=True)
    payouts_enabled = serializers.SerializerMethodField()

    class Meta(PayoutOut.Meta):
        fields = [
            *PayoutOut.Meta.fields,
            "creator",
            "creator_name",
            "payouts_enabled",
            "attempt",
            "transfer_id",
            "failure_reason",
        ]
        read_only_fields = fields
        ref_name = "MoneyStaffPayout"
        extra_kwargs = {
            "failure_reason": {"help_text": "Stripe's own message: a technical detail for staff."}
        }

    def get_payouts_enabled(self, payout) -> bool:
        account = getattr(payout.creator, "stripe_account", None)
        return bool(account and account.payouts_enabled)

    def get_failure_message(self, payout) -> str:
        """Staff read the next step for them: retry once fixed, or close."""
        return str(payout.staff_failure_next_step) if payout.status == Payout.Status.FAILED else ""


class PayoutRejectIn(StrictInput):
    reason = serializers.CharField(
        max_length=Payout._meta.get_field("review_note").max_length,
        help_text="Why the payout is rejected; the creator reads it.",
    )

    class Meta:
        ref_name = "MoneyPayoutRejectInput"


class PayoutCloseIn(StrictInput):
    reason = serializers.CharField(
        max_length=Payout._meta.get_field("review_note").max_length,
        help_text="Why the failed payout is closed without paying; the creator reads it. The fee goes back "
        "to the campaign.",
    )

    class Meta:
        ref_name = "MoneyPayoutCloseInput"


class TopUpOut(serializers.Serializer):
    """An open offer above the brief's fee that needs more in escrow before it can be accepted."""

    offer = serializers.CharField(
        help_text='"application:<id>" or "invitation:<id>"; pass it to fund the top-up.'
    )
    creator_name = serializers.CharField()
    fee = serializers.DecimalField(**MONEY, help_text="The fee the offer asks.")
    amount = serializers.DecimalField(**MONEY, help_text="What accepting it still needs in escrow.")
    fee_amount = serializers.DecimalField(**MONEY, help_text="Kolabo's fee on the top-up.")
    total = serializers.DecimalField(**MONEY, help_text="What the top-up costs at checkout.")

    class Meta:
        ref_name = "MoneyTopUp"


class CampaignBalanceOut(serializers.Serializer):
    """The campaign's money in its currency, from the ledger."""

    campaign = serializers.IntegerField()
    currency = serializers.CharField()
    funded = serializers.DecimalField(**MONEY)
    available = serializers.DecimalField(**MONEY, help_text="Funded and not reserved for a collaboration.")
    reserved = serializers.DecimalField(**MONEY, help_text="Held for accepted collaborations.")
    owed = serializers.DecimalField(**MONEY, help_text="Earned by creators, not sent yet.")
    paid = serializers.DecimalField(**MONEY, help_text="Sent to creators.")
    refunded = serializers.DecimalField(**MONEY)
    fees = serializers.DecimalField(**MONEY, help_text="Platform fees charged.")
    commissions = serializers.DecimalField(
        **MONEY,
        help_text="Escrow paid to creators' commissions (counted in owed and paid, which cover fees and "
        "commissions alike).",
    )
    commissions_needed = serializers.DecimalField(
        **MONEY,
        help_text="What the commissions waiting for funding still need in escrow; fund it with offer "
        '"commissions", whatever the campaign\'s status.',
    )
    processing = serializers.DecimalField(
        **MONEY, help_text="Paid at Stripe and being confirmed; not in escrow until the confirmation arrives."
    )
    funding_needed = serializers.DecimalField(
        **MONEY, help_text="What the slots still need in escrow (0 once the campaign is closed or cancelled)."
    )
    fee_rate = serializers.DecimalField(max_digits=6, decimal_places=4, read_only=True)
    checkout_total = serializers.DecimalField(
        **MONEY, help_text="What funding the rest costs, the platform fee included."
    )
    top_ups = TopUpOut(many=True, help_text="Offers above the brief's fee that need a top-up first.")

    class Meta:
        ref_name = "MoneyCampaignBalance"


class FundingStartIn(StrictInput):
    offer = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        default="",
        help_text='Top up for one offer (a top_ups[].offer of the balance), or "commissions" for the '
        "commissions waiting for funding (commissions_needed); leave out to fund what the slots still "
        "need, or, once the campaign is closed, completed or cancelled, its waiting commissions.",
    )

    class Meta:
        ref_name = "MoneyFundingStartInput"


class FundingOut(serializers.ModelSerializer):
    """A payment into a campaign's escrow through Stripe Checkout."""

    status = StatusField("MoneyFundingStatusEnum", CampaignFunding.Status.choices)
    total = serializers.DecimalField(**MONEY)

    class Meta:
        model = CampaignFunding
        fields = [
            "id",
            "campaign",
            "status",
            "escrow_amount",
            "fee_amount",
            "total",
            "currency",
            "checkout_url",
            "created_at",
        ]
        read_only_fields = fields
        ref_name = "MoneyFunding"


class CommissionEarningsOut(serializers.Serializer):
    """One currency of a creator's commissions, apart from the fees."""

    owed = serializers.DecimalField(**MONEY, help_text="Commissions payable and not sent yet.")
    waiting = serializers.DecimalField(
        **MONEY, help_text="Commissions earned that wait for the campaign's escrow to be funded."
    )
    pending = serializers.DecimalField(**MONEY, help_text="Commission payouts waiting for review or on hold.")
    sending = serializers.DecimalField(**MONEY, help_text="Commission payouts approved and being sent.")
    paid = serializers.DecimalField(**MONEY)
    failed = serializers.DecimalField(**MONEY)

    class Meta:
        ref_name = "MoneyCommissionEarnings"


class EarningsOut(serializers.Serializer):
    """One currency of a creator's earnings: fees (owed from the ledger, payouts by stage) and,
    apart, commissions."""

    currency = serializers.CharField()
    owed = serializers.DecimalField(
        source="fees.owed", **MONEY, help_text="Fees earned and not sent yet (commissions: commissions.owed)."
    )
    pending = serializers.DecimalField(
        source="fees.pending", **MONEY, help_text="Fee payouts waiting for review or on hold."
    )
    sending = serializers.DecimalField(
        source="fees.sending", **MONEY, help_text="Fee payouts approved, being sent or being checked."
    )
    paid = serializers.DecimalField(source="fees.paid", **MONEY, help_text="Fee payouts paid.")
    failed = serializers.DecimalField(source="fees.failed", **MONEY, help_text="Fee payouts failed.")
    commissions = CommissionEarningsOut(read_only=True)

    class Meta:
        ref_name = "MoneyEarnings"
