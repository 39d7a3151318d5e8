"""A campaign's report for its organization's members: the page, a print version, PDF and CSV.

All four read the same `analytics.selectors.campaign_report`, so they carry the same numbers, and
the campaign's members and its accepted sponsors' members may read them
(campaign_for_report_reader); anyone else gets a 404.
"""

import csv
from functools import cache

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics.report_charts import report_charts
from analytics.selectors import CampaignReport, campaign_report
from analytics.templatetags.analytics import raw_value
from campaigns.selectors import organizations

PDF_STYLESHEETS = ("css/kolabo.css", "css/report.css")


def _report_context(request, pk: int) -> dict:
    campaign, membership = organizations.campaign_for_report_reader(user=request.user, pk=pk)
    report = campaign_report(campaign)
    return {
        "campaign": campaign,
        # A sponsor's member reads the report under their own organization's navigation.
        "organization": membership.organization,
        "membership": membership,
        "as_sponsor": membership.organization_id != campaign.organization_id,
        "section": "campaigns",
        "report": report,
        "charts": report_charts(report),
    }


def _file_name(report: CampaignReport, extension: str) -> str:
    slug = slugify(report.campaign.title)[:60] or "campaign"
    return f"kolabo-report-{report.campaign.pk}-{slug}-{timezone.localdate():%Y-%m-%d}.{extension}"


@login_required
@require_GET
def campaign_report_page(request, pk):
    return render(request, "analytics/report.html", _report_context(request, pk))


@login_required
@require_GET
def campaign_report_print(request, pk):
    return render(request, "analytics/report_print.html", _report_context(request, pk))


@cache
def _pdf_css() -> str:
    parts = []
    for name in PDF_STYLESHEETS:
        path = finders.find(name)
        with open(path, encoding="utf-8") as handle:
            parts.append(handle.read())
    return "\n".join(parts)


@login_required
@require_GET
def campaign_report_pdf(request, pk):
    from weasyprint import HTML  # imported here: it loads Pango and friends, only PDFs need them

    context = _report_context(request, pk) | {"inline_css": _pdf_css()}
    html = render_to_string("analytics/report_print.html", context, request=request)
    # No base_url: everything the PDF needs (styles, charts as data: URIs) is inside the HTML, so
    # WeasyPrint never fetches a URL.
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(context["report"], "pdf")}"'
    return response


CSV_COLUMNS = (
    ("creator", lambda r: r.creator_name),
    ("collaboration_id", lambda r: r.collaboration_id),
    ("status", lambda r: r.status),
    ("posts", lambda r: r.posts),
    ("posts_verified", lambda r: r.posts_verified),
    ("views", lambda r: r.views.value),
    ("views_source", lambda r: r.views.source if r.views.known else ""),
    ("reach", lambda r: r.reach.value),
    ("potential_reach", lambda r: r.potential_reach.value),
    ("potential_reach_source", lambda r: r.potential_reach.source if r.potential_reach.known else ""),
    ("engagements", lambda r: r.engagements.value),
    ("engagements_source", lambda r: r.engagements.source if r.engagements.known else ""),
    ("engagement_rate_percent", lambda r: r.engagement_rate.value),
    ("clicks", lambda r: r.clicks.value),
    ("clicks_source", lambda r: r.clicks.source),
    ("conversions", lambda r: r.conversions.value),
    ("conversions_source", lambda r: r.conversions.source),
    ("spend", lambda r: r.spend.value),
    ("spend_source", lambda r: r.spend.source),
    ("cost_per_engagement", lambda r: r.cost_per_engagement.value),
    ("cost_per_click", lambda r: r.cost_per_click.value),
    ("cost_per_conversion", lambda r: r.cost_per_conversion.value),
)

ROW_ONLY_COLUMNS = ("creator", "collaboration_id", "status")


def report_csv_rows(report: CampaignReport) -> list[list[str]]:
    """Header, one row per collaboration (plus a column per goal), then the totals row."""
    goal_kinds = [goal.kind for goal in report.goals]
    header = [name for name, _value in CSV_COLUMNS]
    header += [f"conversions_{kind}" for kind in goal_kinds]
    header += [f"amount_{kind}" for kind in goal_kinds]
    header += ["currency"]
    rows = [header]
    for row in report.collaborations:
        line = [raw_value(value(row)) for _name, value in CSV_COLUMNS]
        line += [raw_value(row.conversions_by_goal.get(kind, 0)) for kind in goal_kinds]
        line += [raw_value(row.amount_by_goal.get(kind)) for kind in goal_kinds]
        line += [report.currency]
        rows.append(line)
    # CampaignReport carries the same figures under the same names as each row.
    totals = {name: value(report) for name, value in CSV_COLUMNS if name not in ROW_ONLY_COLUMNS}
    totals["creator"] = _("Total")
    line = [raw_value(totals.get(name)) for name, _value in CSV_COLUMNS]
    line += [raw_value(goal.conversions.value) for goal in report.goals]
    line += [raw_value(goal.amount.value) for goal in report.goals]
    line += [report.currency]
    rows.append(line)
    return rows


@login_required
@require_GET
def campaign_report_csv(request, pk):
    campaign, _membership = organizations.campaign_for_report_reader(user=request.user, pk=pk)
    report = campaign_report(campaign)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(report, "csv")}"'
    writer = csv.writer(response)
    for line in report_csv_rows(report):
        # A creator's name starting with =, +, - or @ would be a formula in a spreadsheet.
        writer.writerow(
            [
                f"'{cell}" if cell[:1] in ("=", "+", "-", "@") and not _is_number(cell) else cell
                for cell in line
            ]
        )
    return response


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
