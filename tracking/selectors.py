"""Reads of a campaign's conversions for its organization's pages (and any API that lists them).
The caller has already checked membership (campaigns.selectors.campaign_for_member)."""

from django.db.models import Count, Q, QuerySet, Sum

from campaigns.models import Campaign
from tracking.models import Conversion, ConversionGoal


def campaign_conversions(
    *, campaign: Campaign, goal_kind: str = "", attributed: str = ""
) -> QuerySet[Conversion]:
    """The campaign's conversions, optionally of one goal kind and attributed "yes" or "no"."""
    rows = Conversion.objects.filter(campaign=campaign).select_related("goal", "collaboration__creator")
    if goal_kind:
        rows = rows.filter(goal__kind=goal_kind)
    if attributed == "yes":
        rows = rows.filter(collaboration__isnull=False)
    elif attributed == "no":
        rows = rows.filter(collaboration__isnull=True)
    return rows


def conversion_goal_totals(*, campaign: Campaign, goals: list[ConversionGoal]) -> list[dict]:
    """Per goal, in the order given: count, attributed, amount and commission (one query)."""
    totals = {
        row["goal"]: row
        for row in Conversion.objects.filter(campaign=campaign)
        .values("goal")
        .annotate(
            count=Count("pk"),
            attributed=Count("pk", filter=Q(collaboration__isnull=False)),
            amount=Sum("amount"),
            commission=Sum("commission"),
        )
        .order_by()
    }
    empty = {"count": 0, "attributed": 0, "amount": None, "commission": None}
    return [{**empty, **totals.get(goal.pk, {}), "goal": goal} for goal in goals]
