"""The staff dashboard: Kolabo's figures at a glance, for staff whose session passed MFA."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from analytics import charts
from analytics.staff_selectors import PENDING_STATUSES, exposure_figures, staff_dashboard
from campaigns.models import Campaign
from creators.models import Tier
from marketplace import permissions as staff_permissions
from marketplace.decorators import staff_page
from payments.models import Payout


def _charts(data, exposure) -> dict:
    statuses = dict(Payout.Status.choices)
    tiers = dict(Tier.choices)
    gross = [
        (
            line,
            charts.line_chart(
                title=_("Gross value per month in %(currency)s") % {"currency": line.currency},
                series={
                    _("Escrow funded"): [(m.month, float(m.escrow)) for m in line.months],
                    _("Fees"): [(m.month, float(m.fees)) for m in line.months],
                },
            ),
        )
        for line in data.gross
    ]
    payouts = charts.bar_chart(
        title=_("Payouts by stage (count)"),
        rows=[
            *((str(statuses[s]), data.payouts_pending[s].count) for s in PENDING_STATUSES),
            (str(statuses[Payout.Status.PAID]), data.payouts_paid.count),
            (str(statuses[Payout.Status.FAILED]), data.payouts_failed.count),
        ],
        value_label=_("Payouts"),
    )
    disputes = charts.bar_chart(
        title=_("Disputes"),
        rows=[(_("Open"), data.disputes_open), (_("Settled"), data.disputes_resolved)],
        value_label=_("Disputes"),
    )
    verifications = charts.bar_chart(
        title=_("Verification requests waiting, by time waiting"),
        rows=data.verification_ages,
        value_label=_("Requests"),
    )
    kinds = dict(Campaign.Kind.choices)
    campaigns = charts.bar_chart(
        title=_("Published campaigns by kind"),
        rows=[(str(kinds[kind]), n) for kind, n in data.campaigns_by_kind.items()],
        value_label=_("Campaigns"),
    )
    report = exposure.report
    tier_rows = [
        (str(tiers[tier]), report.tiers_before.get(tier, 0), report.tiers_after.get(tier, 0))
        for tier in Tier.values
        if report.tiers_before.get(tier) or report.tiers_after.get(tier)
    ]
    exposure_chart = charts.bar_chart(
        title=_("Recommendations by follower tier, with fair exposure"),
        rows=[(label, after) for label, _before, after in tier_rows],
        value_label=_("Recommendations"),
    )
    return {
        "gross_charts": gross,
        "payouts_chart": payouts,
        "disputes_chart": disputes,
        "verifications_chart": verifications,
        "campaigns_chart": campaigns,
        "exposure_chart": exposure_chart,
        "tier_rows": tier_rows,
    }


@staff_page(staff_permissions.is_staff_member)
def staff_dashboard_page(request):
    data = staff_dashboard()
    exposure = exposure_figures()
    statuses = dict(Payout.Status.choices)
    pending_rows = [(s, statuses[s], data.payouts_pending[s]) for s in PENDING_STATUSES]
    return render(
        request,
        "analytics/staff_dashboard.html",
        {
            "data": data,
            "exposure": exposure,
            "pending_rows": pending_rows,
            "campaign_rows": [
                (kind, Campaign.Kind(kind).label, n) for kind, n in data.campaigns_by_kind.items()
            ],
            **_charts(data, exposure),
        },
    )
