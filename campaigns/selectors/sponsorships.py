"""Reads for brand sponsorships of NGO campaigns: who sees which, who is credited, and the money
each sponsor put in, saw spent and got back. Each function runs a fixed number of queries.

A sponsorship is seen by the members of both organizations: the NGO running the campaign and the
brand sponsoring it. Everyone else gets a 404.

Spend: escrow is one pot per campaign, so a sponsor's spend is its share of the campaign's spend,
pro rata to the escrow it put in and did not get back, which is also how refunds are split
(payments.services.refunds.refund_shares). When the campaign is closed and refunded, what a
sponsor paid in less what it got back is exactly its share of the spend.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, Case, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from brands.models import Membership, Organization
from brands.permissions import MANAGER_ROLES
from brands.selectors import member_organization_ids
from campaigns.models import Campaign, Sponsorship
from marketplace.errors import ValidationFailed
from payments.ledger import ZERO, money
from payments.models import Account, CampaignFunding, CampaignRefund, LedgerEntry, LedgerTransaction
from payments.services.funding import FUNDABLE

Kind = LedgerTransaction.Kind
FUNDING_KINDS = (Kind.FUNDING, Kind.SPONSOR_FUNDING)
SIDE_NGO = "ngo"
SIDE_SPONSOR = "sponsor"
SEARCH_MATCHES_SHOWN = 5


# Visibility


def sponsorships_visible_to(user) -> QuerySet[Sponsorship]:
    """Sponsorships of the user's organizations' campaigns, and those their brands sponsor."""
    orgs = member_organization_ids(user)
    return Sponsorship.objects.filter(Q(campaign__organization_id__in=orgs) | Q(sponsor_id__in=orgs))


@dataclass(frozen=True)
class SponsorshipAccess:
    sponsorship: Sponsorship
    side: str  # SIDE_NGO or SIDE_SPONSOR: which organization the user belongs to
    membership: Membership

    @property
    def can_edit(self) -> bool:
        return self.membership.role in MANAGER_ROLES

    @property
    def is_sponsor(self) -> bool:
        return self.side == SIDE_SPONSOR

    @property
    def can_answer(self) -> bool:
        """The user may accept or decline: the brand answers invitations, the NGO offers."""
        s = self.sponsorship
        mine = Sponsorship.Status.INVITED if self.is_sponsor else Sponsorship.Status.OFFERED
        return self.can_edit and s.status == mine

    @property
    def can_withdraw(self) -> bool:
        s = self.sponsorship
        mine = Sponsorship.Status.OFFERED if self.is_sponsor else Sponsorship.Status.INVITED
        return self.can_edit and s.status == mine


def sponsorship_for_member(*, user, pk: int) -> SponsorshipAccess:
    """The sponsorship with the user's side and membership; a 404 for anyone not on either side."""
    sponsorship = get_object_or_404(
        sponsorships_visible_to(user).select_related("campaign__organization", "sponsor", "created_by"), pk=pk
    )
    memberships = {
        m.organization_id: m
        for m in Membership.objects.filter(
            user=user, organization_id__in=(sponsorship.sponsor_id, sponsorship.campaign.organization_id)
        )
    }
    # A person in both organizations acts as the NGO on its own campaign.
    if sponsorship.campaign.organization_id in memberships:
        return SponsorshipAccess(sponsorship, SIDE_NGO, memberships[sponsorship.campaign.organization_id])
    if sponsorship.sponsor_id in memberships:
        return SponsorshipAccess(sponsorship, SIDE_SPONSOR, memberships[sponsorship.sponsor_id])
    raise Http404


# Finding a brand to invite


def brand_for_sponsorship(query: str) -> Organization:
    """The one brand a search names: its slug exactly, its name exactly (any case), or the only
    brand whose name contains the words. A ValidationFailed on the "sponsor" field otherwise."""
    query = (query or "").strip()
    if not query:
        raise ValidationFailed(_("Enter the brand's name or its Kolabo address (slug)."), field="sponsor")
    brands = Organization.objects.filter(kind=Organization.Kind.BRAND)
    for lookup in ({"slug": query.lower()}, {"name__iexact": query}):
        found = list(brands.filter(**lookup)[:2])
        if len(found) == 1:
            return found[0]
    found = list(brands.filter(name__icontains=query).order_by("name", "pk")[: SEARCH_MATCHES_SHOWN + 1])
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationFailed(
            _(
                "No brand on Kolabo matches “%(query)s”. Check the spelling, or ask the brand for its Kolabo address."
            )
            % {"query": query},
            field="sponsor",
        )
    names = ", ".join(f"{org.name} ({org.slug})" for org in found[:SEARCH_MATCHES_SHOWN])
    raise ValidationFailed(
        _("Several brands match “%(query)s”: %(names)s. Enter the address in brackets of the one you mean.")
        % {"query": query, "names": names},
        field="sponsor",
    )


def brands_managed_by(user) -> list[Organization]:
    """The brands the user may act for (owner or manager): the ones that can offer a sponsorship."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        Organization.objects.filter(
            kind=Organization.Kind.BRAND,
            memberships__user=user,
            memberships__role__in=MANAGER_ROLES,
        ).order_by("name", "pk")
    )


# Credit


def sponsors_credited(campaign: Campaign) -> list[Organization]:
    """The brands credited on the campaign's public pages: accepted sponsorships only, in the order
    they were accepted. One query."""
    return [
        s.sponsor
        for s in Sponsorship.objects.filter(campaign_id=campaign.pk, status=Sponsorship.Status.ACCEPTED)
        .select_related("sponsor")
        .order_by("decided_at", "pk")
    ]


# Money


@dataclass
class CampaignMoney:
    """A campaign's escrow in its currency, from the ledger."""

    funded: Decimal = ZERO  # escrow paid in (its own funding and sponsors')
    refunded: Decimal = ZERO  # escrow refunded (due or paid)
    available: Decimal = ZERO  # funded, not reserved for a creator

    @property
    def net(self) -> Decimal:
        return self.funded - self.refunded

    @property
    def spent(self) -> Decimal:
        """Reserved for creators, owed to them or paid to them."""
        return max(ZERO, self.net - self.available)


@dataclass
class SponsorMoney:
    """One sponsor's money in one campaign, from the ledger."""

    funded: Decimal = ZERO  # escrow the sponsor paid in, credited
    refunded: Decimal = ZERO  # escrow refunded to the sponsor (due or paid)
    refund_total: Decimal = ZERO  # refunds to the sponsor with their share of the fee (due or paid)
    refund_paid: Decimal = ZERO  # of which Stripe has paid back


@dataclass(frozen=True)
class SponsorSpend:
    """What a sponsorship funded, saw spent and got back, in the campaign currency."""

    currency: str
    amount: Decimal  # offered, or accepted
    funded: Decimal  # escrow the sponsor paid in (the ledger's SPONSOR_FUNDING)
    processing: Decimal  # paid at Stripe, not yet credited
    spent: Decimal  # its share of the campaign's spend: reserved, owed or paid to creators
    refunded: Decimal  # refunded to the sponsor: escrow with its share of the fee, due or paid
    refund_pending: Decimal  # of which Stripe has not paid back yet
    available: Decimal  # its share of the escrow not yet reserved (refunded at close)
    left_to_fund: Decimal  # what the sponsor may still pay in (accepted sponsorships only)
    campaign: CampaignMoney = field(default_factory=CampaignMoney)


def _ledger_money(
    campaign_ids: list[int],
) -> tuple[dict[int, CampaignMoney], dict[tuple[int, int], SponsorMoney]]:
    """Escrow and refunds per campaign and per (campaign, sponsor). One query."""
    campaigns: dict[int, CampaignMoney] = {pk: CampaignMoney() for pk in campaign_ids}
    sponsors: dict[tuple[int, int], SponsorMoney] = {}
    if not campaign_ids:
        return campaigns, sponsors
    rows = (
        LedgerEntry.objects.filter(
            campaign_id__in=campaign_ids, account__in=(Account.CAMPAIGN_ESCROW, Account.REFUNDS)
        )
        .annotate(
            unreserved=Case(
                When(collaboration__isnull=True, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values("campaign_id", "transaction__kind", "transaction__sponsor_id", "account", "unreserved")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        campaign = campaigns[row["campaign_id"]]
        kind, sponsor_id, amount = row["transaction__kind"], row["transaction__sponsor_id"], row["total"]
        sponsor = (
            sponsors.setdefault((row["campaign_id"], sponsor_id), SponsorMoney()) if sponsor_id else None
        )
        if row["account"] == Account.CAMPAIGN_ESCROW:
            # Escrow is a liability: credits (negative) are money held.
            if row["unreserved"]:
                campaign.available -= amount
            if kind in FUNDING_KINDS:
                campaign.funded -= amount
                if sponsor is not None:
                    sponsor.funded -= amount
            elif kind == Kind.REFUND_DUE:
                campaign.refunded += amount
                if sponsor is not None:
                    sponsor.refunded += amount
        elif sponsor is not None:  # refunds due: credited when due, debited when Stripe paid it
            if kind == Kind.REFUND_DUE:
                sponsor.refund_total -= amount
            elif kind == Kind.REFUND_PAID:
                sponsor.refund_paid += amount
    return campaigns, sponsors


def fundings_paid(sponsorship_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Per sponsorship: (credited, processing) escrow of its fundings. One query."""
    result: dict[int, tuple[Decimal, Decimal]] = {}
    if not sponsorship_ids:
        return result
    rows = (
        CampaignFunding.objects.filter(sponsorship_id__in=sponsorship_ids)
        .filter(Q(status=CampaignFunding.Status.PAID) | Q(paid_at__isnull=False))
        .values("sponsorship_id", "status")
        .annotate(total=Sum("escrow_amount"))
        .order_by()
    )
    for row in rows:
        credited, processing = result.get(row["sponsorship_id"], (ZERO, ZERO))
        if row["status"] == CampaignFunding.Status.PAID:
            credited += row["total"]
        else:
            processing += row["total"]
        result[row["sponsorship_id"]] = (credited, processing)
    return result


def _spend(
    sponsorship: Sponsorship,
    campaign: CampaignMoney,
    sponsor: SponsorMoney,
    paid: tuple[Decimal, Decimal],
) -> SponsorSpend:
    net = sponsor.funded - sponsor.refunded
    spent = money(campaign.spent * net / campaign.net) if campaign.net > 0 and net > 0 else ZERO
    spent = min(spent, net) if net > 0 else ZERO
    credited, processing = paid
    left = ZERO
    if sponsorship.status == Sponsorship.Status.ACCEPTED:
        left = max(ZERO, money(sponsorship.amount - credited - processing))
    return SponsorSpend(
        currency=sponsorship.currency,
        amount=sponsorship.amount,
        funded=money(sponsor.funded),
        processing=money(processing),
        spent=spent,
        refunded=money(sponsor.refund_total),
        refund_pending=money(sponsor.refund_total - sponsor.refund_paid),
        available=money(max(ZERO, net - spent)),
        left_to_fund=left,
        campaign=campaign,
    )


def spend_for(sponsorships: list[Sponsorship]) -> dict[int, SponsorSpend]:
    """SponsorSpend per sponsorship id, for any number of sponsorships in two queries."""
    campaigns, sponsors = _ledger_money(sorted({s.campaign_id for s in sponsorships}))
    paid = fundings_paid([s.pk for s in sponsorships])
    return {
        s.pk: _spend(
            s,
            campaigns[s.campaign_id],
            sponsors.get((s.campaign_id, s.sponsor_id), SponsorMoney()),
            paid.get(s.pk, (ZERO, ZERO)),
        )
        for s in sponsorships
    }


def sponsorship_spend(sponsorship: Sponsorship) -> SponsorSpend:
    """Funded, spent, refunded and available for one sponsorship, in the campaign currency."""
    return spend_for([sponsorship])[sponsorship.pk]


def sponsor_can_fund(access: SponsorshipAccess, spend: SponsorSpend) -> bool:
    """Whether the page offers this user the payment form: a manager of the sponsor, on an accepted
    sponsorship of a campaign that still takes money, with some of the amount left to pay.
    payments.services.funding.sponsor_funding_start checks it all again."""
    campaign = access.sponsorship.campaign
    return (
        access.is_sponsor
        and access.can_edit
        and access.sponsorship.status == Sponsorship.Status.ACCEPTED
        and campaign.is_paid
        and campaign.status in FUNDABLE
        and spend.left_to_fund > 0
    )


def sponsorship_payments(sponsorship: Sponsorship) -> tuple[list[CampaignFunding], list[CampaignRefund]]:
    """The sponsorship's payments and the refunds of them, newest first. Two queries."""
    fundings = list(CampaignFunding.objects.filter(sponsorship=sponsorship).order_by("-created_at", "-pk"))
    refunds = list(
        CampaignRefund.objects.filter(funding__sponsorship=sponsorship).order_by("-created_at", "-pk")
    )
    return fundings, refunds


@dataclass(frozen=True)
class SponsorshipRow:
    sponsorship: Sponsorship
    spend: SponsorSpend


def campaign_sponsorships(campaign: Campaign) -> list[SponsorshipRow]:
    """Every sponsorship of the campaign (live first, newest first) with its money. Three queries."""
    rank = Case(
        When(status=Sponsorship.Status.ACCEPTED, then=Value(0)),
        When(status__in=Sponsorship.OPEN, then=Value(1)),
        default=Value(2),
    )
    sponsorships = list(
        Sponsorship.objects.filter(campaign_id=campaign.pk)
        .select_related("sponsor")
        .annotate(rank=rank)
        .order_by("rank", "-created_at", "-pk")
    )
    for s in sponsorships:
        s.campaign = campaign
    spend = spend_for(sponsorships)
    return [SponsorshipRow(s, spend[s.pk]) for s in sponsorships]


def organization_sponsorships(organization: Organization) -> list[SponsorshipRow]:
    """A brand's sponsorships (the campaigns it sponsors), or an NGO's (the sponsors of its
    campaigns), newest first, with their money. Three queries."""
    if organization.kind == Organization.Kind.BRAND:
        queryset = Sponsorship.objects.filter(sponsor=organization)
    else:
        queryset = Sponsorship.objects.filter(campaign__organization=organization)
    sponsorships = list(
        queryset.select_related("campaign__organization", "sponsor").order_by("-created_at", "-pk")
    )
    spend = spend_for(sponsorships)
    return [SponsorshipRow(s, spend[s.pk]) for s in sponsorships]


def sponsor_fundings_visible_to(user) -> QuerySet[CampaignFunding]:
    """Payments a brand made as a sponsor, for that brand's members."""
    return CampaignFunding.objects.filter(
        sponsorship__isnull=False, sponsorship__sponsor_id__in=member_organization_ids(user)
    )
