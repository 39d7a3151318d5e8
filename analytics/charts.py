"""Server-side SVG charts (pygal), readable without JavaScript.

Every chart comes with its text alternative (`Chart.table`), rendered by
templates/analytics/_chart.html as a <details><table> under the picture.

The site's Content-Security-Policy allows styles only from our own files ("style-src 'self'"), and
pygal puts a <style> element inside the SVG. Inline SVG would render unstyled (black shapes), so the
partial shows the chart as <img src="data:image/svg+xml;base64,..."> (img-src allows data:): an SVG
loaded as an image keeps its own styles and never runs scripts. WeasyPrint renders the same markup
in the PDF. pygal always embeds a config <script>; we strip it (and its generator comments) anyway.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pygal
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext
from pygal.style import Style

SVG_NS = "{http://www.w3.org/2000/svg}"

# Colours from the site's Pico "jade" theme and static/css/kolabo.css: jade first, then calm
# slate/blue/amber tones that stay distinguishable in greyscale print.
PALETTE = ("#007a50", "#475569", "#2b6cb0", "#b7791f", "#5fb89a", "#9b2c6f", "#94a3b8")

KOLABO_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#334155",
    foreground_strong="#1f2937",
    foreground_subtle="#e5e7eb",
    opacity="0.9",
    opacity_hover="1",
    transition="0ms",
    colors=PALETTE,
    font_family='system-ui, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
    title_font_size=20,
    label_font_size=17,
    major_label_font_size=17,
    legend_font_size=17,
    value_font_size=17,
    value_label_font_size=17,
    tooltip_font_size=17,
    no_data_font_size=24,
    guide_stroke_dasharray="2,4",
    major_guide_stroke_dasharray="2,4",
    guide_stroke_color="#cbd5e1",
    major_guide_stroke_color="#cbd5e1",
    stroke_width="3",
)


# Bars print their value at their end, in the text colour (a short bar stays readable).
_value_style = Style(**{**KOLABO_STYLE.to_dict(), "value_colors": ("#1f2937",)})


@dataclass(frozen=True)
class Chart:
    svg: str  # standalone SVG markup (no script, no XML declaration)
    title: str
    table: list[tuple[str, str]]  # text alternative: (label, formatted value) rows

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()

    @property
    def is_empty(self) -> bool:
        return not self.table


def _strip_scripts_and_comments(root):
    """pygal xml_filter: drop <script> (its tooltip config) and the generator comments."""
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in ("script", SVG_NS + "script") or not isinstance(child.tag, str):
                parent.remove(child)
    return root


def _config(**extra) -> dict:
    """pygal settings. The chart's title is not drawn: the <figcaption> carries it (and the alt)."""
    extra.pop("title", None)
    return {
        "style": KOLABO_STYLE,
        "js": [],  # no external tooltip script (the CSP forbids it; charts work without JS)
        "disable_xml_declaration": True,
        "no_data_text": gettext("No data yet"),
        "width": 800,
        "height": 400,
        "margin": 16,
        "show_legend": False,
        "print_values": False,
        "max_scale": 6,  # a few round graduations, never truncated ("1,…")
        "truncate_label": -1,
        "value_formatter": _format_number,
        **extra,
    }


def _format_number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | float) and value != int(value):
        return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return number_format(int(value), use_l10n=True, force_grouping=True)


def _number(value) -> float:
    return float(value or 0)


def _render(chart) -> str:
    chart.add_xml_filter(_strip_scripts_and_comments)
    return chart.render(is_unicode=True)


def bar_chart(*, title: str, rows: Sequence[tuple[str, float]], value_label: str = "") -> Chart:
    """Horizontal bars, one per row, in the given order (first row on top)."""
    rows = list(rows)
    chart = pygal.HorizontalBar(
        **_config(
            height=max(200, 70 + 44 * len(rows)),
            print_values=True,
            print_values_position="top",
            style=_value_style,
            margin_right=80,  # room for the value printed after the longest bar
        )
    )
    # pygal draws the first label at the bottom of a horizontal bar chart.
    chart.x_labels = [label for label, _ in reversed(rows)]
    if rows:
        chart.add(value_label or title, [_number(v) for _, v in reversed(rows)])
    return Chart(svg=_render(chart), title=title, table=[(label, _format_number(v)) for label, v in rows])


def funnel_chart(*, title: str, rows: Sequence[tuple[str, float]]) -> Chart:
    """A funnel read top to bottom (e.g. invited → accepted → published → clicks → conversions).

    Drawn as ordered horizontal bars: easier to read (and to print) than pygal's symmetric funnel.
    """
    return bar_chart(title=title, rows=rows, value_label=title)


def pie_chart(*, title: str, rows: Sequence[tuple[str, float]]) -> Chart:
    rows = [(label, value) for label, value in rows]
    chart = pygal.Pie(**_config(title=title, show_legend=True, legend_at_bottom=True, inner_radius=0.45))
    for label, value in rows:
        if _number(value) > 0:
            chart.add(label, [_number(value)])
    return Chart(svg=_render(chart), title=title, table=[(label, _format_number(v)) for label, v in rows])


def line_chart(*, title: str, series: dict[str, Sequence[tuple[date, float]]]) -> Chart:
    """One line per series over the union of their dates (a missing point is a gap, not a zero)."""
    dates = sorted({d for points in series.values() for d, _ in points})
    major_every = max(1, math.ceil(len(dates) / 8))
    chart = pygal.Line(
        **_config(
            title=title,
            show_legend=len(series) > 1,
            legend_at_bottom=True,
            x_label_rotation=30,
            show_minor_x_labels=False,
            x_labels_major_every=major_every,
            dots_size=3,
            allow_interruptions=True,
            include_x_axis=True,
        )
    )
    chart.x_labels = [date_format(d, "SHORT_DATE_FORMAT") for d in dates]
    table: list[tuple[str, str]] = []
    for name, points in series.items():
        by_date = {d: _number(v) for d, v in points}
        chart.add(name, [by_date.get(d) for d in dates])
        prefix = f"{name}: " if len(series) > 1 else ""
        table.extend(
            (prefix + date_format(d, "SHORT_DATE_FORMAT"), _format_number(v)) for d, v in sorted(points)
        )
    if not dates:
        chart.x_labels = []
    return Chart(svg=_render(chart), title=title, table=table)
