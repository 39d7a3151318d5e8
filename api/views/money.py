"""Money: a creator's payouts and earnings, a campaign's balance, and the staff payout review.

Balances come from the ledger through the selectors the money pages use. Staff review moves money,
so it takes a staff browser session verified with a second factor (api.access.SessionOnly): API
keys and personal tokens are refused there, whoever made them.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api.access import SessionOnly, api_key, caller
from api.limits import sensitive_limit
from api.serializers import money as s
from api.views.base import IDEMPOTENCY_KEY, Endpoint, ListEndpoint
from api.views.campaigns import campaign_for, require_write
from marketplace.errors import PermissionDeniedError
from payments import commission_selectors, selectors
from payments.models import Payout
from payments.services import payouts
from payments.services.funding import commission_top_up, funding_start


def creator_of(request):
    """The caller's creator profile. Organization keys act for an organization, never a creator."""
    if api_key(request) is not None:
        raise PermissionDeniedError(
            _("Organization API keys cannot read a creator's money; use a personal access token.")
        )
    creator = getattr(request.user, "creator_profile", None)
    if creator is None:
        raise Http404
    return creator


class PayoutList(ListEndpoint):
    serializer_class = s.PayoutOut
    filter_backends = []  # filters are explicit query parameters, documented per operation

    @extend_schema(
        summary="Your payouts as a creator, newest first (with failure reasons and review notes)",
        operation_id="payouts_list",
        responses={200: s.PayoutOut(many=True)},
    )
    def get(self, request):
        page = self.paginate_queryset(selectors.creator_payouts(creator=creator_of(request)))
        return self.get_paginated_response(s.PayoutOut(page, many=True).data)


class Earnings(Endpoint):
    serializer_class = s.EarningsOut
    filter_backends = []  # filters are explicit query parameters, documented per operation
    pagination_class = None

    @extend_schema(
        summary="Your earnings as a creator, per currency: fees owed from the ledger and payouts by stage, "
        "and commissions apart",
        operation_id="earnings_list",
        responses={200: s.EarningsOut(many=True)},
    )
    def get(self, request):
        lines = commission_selectors.creator_earnings_by_kind(creator=creator_of(request))
        return Response(s.EarningsOut(lines, many=True).data)


class CampaignBalance(Endpoint):
    serializer_class = s.CampaignBalanceOut
    filter_backends = []  # filters are explicit query parameters, documented per operation

    @extend_schema(
        summary="The campaign's balance from the ledger, and what funding it still needs",
        operation_id="campaigns_balance_retrieve",
    )
    def get(self, request, pk):
        campaign = campaign_for(request, pk)
        spend = selectors.campaign_spend(campaign=campaign)
        body = {
            "campaign": campaign.pk,
            "currency": campaign.currency,
            **spend["totals"],
            "commissions_needed": commission_top_up(campaign),
            "processing": spend["processing"],
            "funding_needed": spend["needed"],
            "fee_rate": spend["fee_rate"],
            "checkout_total": spend["checkout_total"],
            "top_ups": spend["top_ups"],
        }
        return Response(s.CampaignBalanceOut(body).data)


class CampaignFundingStart(Endpoint):
    serializer_class = s.FundingOut
    filter_backends = []  # filters are explicit query parameters, documented per operation

    @extend_schema(
        summary="Fund the campaign through Stripe Checkout: what the slots still need, or one offer's top-up",
        description="Answers the Checkout Session's URL for a person to pay. The escrow is credited once "
        "Stripe confirms the payment, and commissions waiting for funding are paid from it at once. A "
        "closed, completed or cancelled campaign takes money only for its waiting commissions "
        '(offer "commissions", or no offer); otherwise 409.',
        operation_id="campaigns_fundings_create",
        request=s.FundingStartIn,
        responses={201: s.FundingOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        campaign = campaign_for(request, pk)
        require_write(request, campaign.organization_id)
        data = s.FundingStartIn(data=request.data)
        data.is_valid(raise_exception=True)
        sensitive_limit(request, "fundings")
        funding = funding_start(
            campaign=campaign,
            by_user=request.user,
            offer=data.validated_data["offer"],
            site_url=request.build_absolute_uri("/"),
        )
        return Response(s.FundingOut(funding).data, status=status.HTTP_201_CREATED)


# Staff review


class StaffEndpoint(Endpoint):
    permission_classes = [IsAuthenticated, SessionOnly]


STATUS_FILTER = OpenApiParameter(
    "status",
    str,
    required=False,
    enum=[selectors.QUEUE_REVIEW, *Payout.Status.values, selectors.QUEUE_ALL],
    description="review (the default: waiting and on hold), all, or one payout status.",
)


class StaffPayoutList(StaffEndpoint):
    serializer_class = s.StaffPayoutOut
    filter_backends = []  # filters are explicit query parameters, documented per operation

    @extend_schema(
        summary="Staff: the payout review queue, newest first (staff session with MFA only)",
        operation_id="staff_payouts_list",
        parameters=[STATUS_FILTER],
        responses={200: s.StaffPayoutOut(many=True)},
    )
    def get(self, request):
        choice = request.query_params.get("status") or selectors.QUEUE_REVIEW
        if choice not in STATUS_FILTER.enum:
            raise ValidationError({"status": [_("Use review, all, or one payout status.")]})
        queue = selectors.payout_queue(status=choice)
        page = self.paginate_queryset(queue)
        return self.get_paginated_response(s.StaffPayoutOut(page, many=True).data)


def _payout(request, pk: int) -> Payout:
    payout = selectors.payouts_visible_to(caller(request)).filter(pk=pk).first()
    if payout is None:
        raise Http404
    return payout


def _reviewed(pk: int) -> Response:
    return Response(s.StaffPayoutOut(selectors.payout_queue(status=selectors.QUEUE_ALL).get(pk=pk)).data)


def _review(request, pk: int, action, reason_in=None) -> Response:
    """Every staff payout action: the rate limit, the payout the caller sees, the reason when the
    action takes one, the service, then the reviewed payout."""
    sensitive_limit(request, "payouts")
    payout = _payout(request, pk)
    extra = {}
    if reason_in is not None:
        data = reason_in(data=request.data)
        data.is_valid(raise_exception=True)
        extra["reason"] = data.validated_data["reason"]
    action(payout=payout, by_user=request.user, **extra)
    return _reviewed(pk)


class StaffPayoutApprove(StaffEndpoint):
    serializer_class = s.StaffPayoutOut
    filter_backends = []  # filters are explicit query parameters, documented per operation

    @extend_schema(
        summary="Staff: approve a payout and queue its transfer (staff session with MFA only)",
        operation_id="staff_payouts_approve",
        request=None,
        responses={200: s.StaffPayoutOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        return _review(request, pk, payouts.payout_approve)


class StaffPayoutReject(StaffEndpoint):
    serializer_class = s.StaffPayoutOut
    filter_backends = []  # filters are explicit query parameters, documented per operation

    @extend_schema(
        summary="Staff: reject a payout with a reason the creator reads (staff session with MFA only)",
        operation_id="staff_payouts_reject",
        request=s.PayoutRejectIn,
        responses={200: s.StaffPayoutOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        return _review(request, pk, payouts.payout_reject, s.PayoutRejectIn)


class StaffPayoutRetry(StaffEndpoint):
    serializer_class = s.StaffPayoutOut
    filter_backends = []  # filters are explicit query parameters, documented per operation

    @extend_schema(
        summary="Staff: retry a failed payout once its cause is fixed (a new attempt; staff session with MFA only)",
        operation_id="staff_payouts_retry",
        request=None,
        responses={200: s.StaffPayoutOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        return _review(request, pk, payouts.payout_retry)


class StaffPayoutClose(StaffEndpoint):
    serializer_class = s.StaffPayoutOut
    filter_backends = []  # filters are explicit query parameters, documented per operation

    @extend_schema(
        summary="Staff: close a failed payout without paying; its fee goes back to the campaign "
        "(staff session with MFA only)",
        operation_id="staff_payouts_close",
        request=s.PayoutCloseIn,
        responses={200: s.StaffPayoutOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        return _review(request, pk, payouts.payout_close, s.PayoutCloseIn)
