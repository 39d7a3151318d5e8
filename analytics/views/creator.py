"""A creator's own analytics page: earnings over time, engagement, ratings, clicks and conversions."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics import charts
from analytics.creator_selectors import creator_analytics


def _creator(request):
    profile = getattr(request.user, "creator_profile", None)
    if profile is None:
        raise Http404
    return profile


def _charts(data) -> dict:
    """One earnings chart per currency (IDR and USD are never drawn on one axis)."""
    earnings = [
        (
            line,
            charts.line_chart(
                title=_("Earnings per month in %(currency)s") % {"currency": line.currency},
                series={
                    _("Earned"): [(m.month, float(m.earned)) for m in line.months],
                    _("Paid out"): [(m.month, float(m.paid)) for m in line.months],
                },
            ),
        )
        for line in data.earnings
    ]
    engagement = charts.bar_chart(
        title=_("Engagements per collaboration"),
        rows=[
            (str(line.collaboration.campaign.title), line.engagements)
            for line in data.collaborations
            if line.engagements is not None
        ],
        value_label=_("Engagements"),
    )
    ratings = charts.line_chart(
        title=_("Ratings received (1 to 5)"),
        series={_("Rating"): [(timezone.localdate(r.created_at), r.score) for r in data.ratings]},
    )
    clicks = charts.line_chart(
        title=_("Clicks on your tracked links per month"),
        series={_("Clicks"): [(month, n) for month, n in data.clicks_by_month]},
    )
    conversions = charts.bar_chart(
        title=_("Conversions by goal"), rows=data.conversions_by_goal, value_label=_("Conversions")
    )
    return {
        "earnings_charts": earnings,
        "engagement_chart": engagement,
        "ratings_chart": ratings,
        "clicks_chart": clicks,
        "conversions_chart": conversions,
    }


@login_required
def creator_analytics_page(request):
    creator = _creator(request)
    data = creator_analytics(creator=creator)
    return render(
        request,
        "analytics/creator_analytics.html",
        {"creator": creator, "data": data, **_charts(data)},
    )
