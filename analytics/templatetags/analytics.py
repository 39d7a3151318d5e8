"""Analytics on other apps' pages, and how one figure is written.

`figure` writes a value the same way on the report page, its print/PDF version and the panels, with
its source badge; the raw value sits in data-value so exports can be checked against the page.
"""

from decimal import Decimal

from django import template
from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from analytics import selectors
from marketplace.money import format_money

register = template.Library()

UNKNOWN = "—"


def format_value(value, kind: str = "count", currency: str = "") -> str:
    if value is None:
        return UNKNOWN
    if kind == "money":
        return format_money(value, currency)
    if kind == "percent":
        return number_format(value, decimal_pos=2, use_l10n=True) + " %"
    if kind == "ratio":
        return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return number_format(int(value), use_l10n=True, force_grouping=True)


def raw_value(value) -> str:
    """What the CSV and the API carry: integers as digits, decimals with 2 places."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


@register.simple_tag
def figure(fig, kind="count", currency="", name="", badge=True):
    """A figure's value and its source badge: {% figure report.views %}."""
    value = getattr(fig, "value", fig)
    shown = format_value(value, kind, currency)
    title = _("Not known yet") if value is None else ""
    html = format_html(
        '<span class="figure-value" data-figure="{}" data-value="{}"{}>{}</span>',
        name,
        raw_value(value),
        format_html(' title="{}"', title) if title else "",
        shown,
    )
    source = getattr(fig, "source", "")
    if badge and source and value is not None:
        html += format_html(
            ' <span class="badge source source-{}">{}</span>', source, selectors.SOURCE_LABELS[source]
        )
    return html


@register.simple_tag
def analytics_manage_panel(campaign, user):
    """Headline figures and the report links on the campaign's manage page (3 queries)."""
    return render_to_string(
        "analytics/_manage_panel.html",
        {"campaign": campaign, "headline": selectors.campaign_headline(campaign)},
    )


@register.simple_tag
def collaboration_figures(collaboration, user):
    """The collaboration page's short results block, for both sides (3 queries).

    Only this collaboration's own numbers: a creator never sees the rest of the campaign here."""
    report = selectors.collaboration_report(collaboration, full=False)
    is_creator = user.is_authenticated and collaboration.creator.user_id == user.pk
    return render_to_string(
        "analytics/_collaboration_figures.html",
        {"collaboration": collaboration, "figures": report.figures, "show_report_link": not is_creator},
    )
