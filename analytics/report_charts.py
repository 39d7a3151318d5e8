"""The charts of a campaign report, built from its figures (no queries of their own)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from analytics import charts
from analytics.selectors import CampaignReport


def funnel(report: CampaignReport) -> charts.Chart:
    """Audience funnel: views (or, without any, potential reach) → engagements → clicks → conversions."""
    top = (
        (_("Views"), report.views.value)
        if report.views.known
        else (_("Potential reach (followers)"), report.potential_reach.value)
    )
    rows = [
        top,
        (_("Engagements"), report.engagements.value),
        (_("Clicks"), report.clicks.value),
        (_("Conversions"), report.conversions.value),
    ]
    return charts.funnel_chart(
        title=_("From views to results"), rows=[(label, value or 0) for label, value in rows]
    )


def engagement_over_time(report: CampaignReport) -> charts.Chart:
    return charts.line_chart(
        title=_("Engagements over time (total of all posts)"),
        series={_("Engagements"): report.engagement_series} if report.engagement_series else {},
    )


def clicks_over_time(report: CampaignReport) -> charts.Chart:
    return charts.line_chart(
        title=_("Clicks per day"),
        series={_("Clicks"): report.clicks_series} if report.clicks_series else {},
    )


def spend_breakdown(report: CampaignReport) -> charts.Chart:
    money = report.breakdown
    return charts.pie_chart(
        title=_("Spend breakdown (%(currency)s)") % {"currency": report.currency},
        rows=[
            (_("Creator fees"), money.fees),
            (_("Commissions"), money.commissions),
            (_("Kolabo fee"), money.platform_fee),
        ],
    )


def top_creators(report: CampaignReport) -> charts.Chart:
    return charts.bar_chart(
        title=_("Top creators by engagements"),
        rows=[(row.creator_name, row.engagements.value) for row in report.top_creators],
        value_label=_("Engagements"),
    )


def report_charts(report: CampaignReport) -> list[charts.Chart]:
    return [
        funnel(report),
        engagement_over_time(report),
        clicks_over_time(report),
        spend_breakdown(report),
        top_creators(report),
    ]
