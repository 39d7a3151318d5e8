"""The CSV, the PDF and the API carry the same numbers as the report page.

The page writes each figure's raw value in data-value (and its formatted text inside the element);
the CSV and the API carry raw values; the PDF, made from the print version, carries the formatted
text, which is read back with pypdf.
"""

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.analytics.report_helpers import golden_campaign

pytestmark = pytest.mark.django_db

SUMMARY = (
    "views",
    "reach",
    "potential_reach",
    "engagements",
    "engagement_rate",
    "clicks",
    "conversions",
    "spend",
    "cost_per_engagement",
    "cost_per_click",
    "cost_per_conversion",
)
ROW = (
    "views",
    "engagements",
    "engagement_rate",
    "clicks",
    "conversions",
    "spend",
    "cost_per_engagement",
    "cost_per_click",
    "cost_per_conversion",
)
CSV_NAMES = {"engagement_rate": "engagement_rate_percent"}


class Figures(HTMLParser):
    """Collects (section, collaboration or "", figure name) → (raw value, shown text)."""

    def __init__(self):
        super().__init__()
        self.figures: dict[tuple[str, str], tuple[str, str]] = {}
        self.row = ""
        self.current = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-collaboration" in attrs:
            self.row = attrs["data-collaboration"]
        if tag == "span" and attrs.get("data-figure"):
            self.current = (self.row, attrs["data-figure"], attrs["data-value"])
            self.text = ""

    def handle_endtag(self, tag):
        if tag == "tr":
            self.row = ""
        if tag == "span" and self.current:
            row, name, value = self.current
            self.figures.setdefault((row, name), (value, self.text.strip()))
            self.current = None

    def handle_data(self, data):
        if self.current:
            self.text += data


@pytest.fixture
def golden(ngo_org, client):
    owner = ngo_org.memberships.get().user
    data = golden_campaign(ngo_org, owner)
    client.force_login(owner)
    return data


def page_figures(client, campaign, name="analytics:campaign_report"):
    parser = Figures()
    parser.feed(client.get(reverse(name, args=[campaign.pk])).content.decode())
    return parser.figures


def test_the_csv_carries_the_page_numbers(client, golden):
    campaign = golden["campaign"]
    page = page_figures(client, campaign)
    response = client.get(reverse("analytics:campaign_report_csv", args=[campaign.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))

    *collaborations, totals = rows
    assert totals["creator"] == "Total"
    for name in SUMMARY:
        assert totals[CSV_NAMES.get(name, name)] == page[("", name)][0], name
    assert len(collaborations) == 3
    for line in collaborations:
        for name in ROW:
            assert line[CSV_NAMES.get(name, name)] == page[(line["collaboration_id"], name)][0], name
    # Sources travel with the numbers, and the goals have their own columns.
    assert totals["engagements_source"] == "mixed" and totals["clicks_source"] == "tracked"
    assert (totals["conversions_signup"], totals["conversions_donation"], totals["amount_donation"]) == (
        "5",
        "2",
        "150000.00",
    )
    ayu = next(line for line in collaborations if line["creator"] == "Ayu")
    assert (ayu["engagements"], ayu["engagements_source"], ayu["spend"]) == ("1000", "verified", "1020000.00")


def test_the_api_carries_the_page_numbers(client, golden):
    campaign = golden["campaign"]
    page = page_figures(client, campaign)
    body = client.get(reverse("api:campaign_report", args=[campaign.pk])).json()

    for name in SUMMARY:
        value = body[name]["value"]
        assert ("" if value is None else str(value)) == page[("", name)][0], name
    assert body["engagements"]["source"] == "mixed" and body["spend"]["source"] == "ledger"
    for row in body["collaborations"]:
        for name in ROW:
            value = row[name]["value"]
            assert ("" if value is None else str(value)) == page[(str(row["collaboration"]), name)][0], name
    signup = next(goal for goal in body["goals"] if goal["kind"] == "signup")
    assert signup["per_creator"]["value"] == "2.50" and signup["per_unit_spent"]["value"] == "2.75"
    assert body["spend_breakdown"]["commissions"] == "20000.00"
    assert body["clicks_series"][0]["value"] == 20


def test_the_print_version_and_the_pdf_carry_the_page_numbers(client, golden):
    campaign = golden["campaign"]
    page = page_figures(client, campaign)
    printed = page_figures(client, campaign, "analytics:campaign_report_print")
    assert printed == page

    response = client.get(reverse("analytics:campaign_report_pdf", args=[campaign.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="kolabo-report-')
    reader = PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "Clean beaches drive" in text
    for name in SUMMARY:
        shown = page[("", name)][1]
        assert re.sub(r"\s+", " ", shown) in text, (name, shown)
    # The per-creator table: each creator's name with their numbers as the page shows them.
    for key, (_raw, shown) in page.items():
        if key[0] and shown != "—":
            assert shown in text, (key, shown)
    # The charts are in the PDF (WeasyPrint draws their SVG as vector forms), with their captions.
    for caption in ("From views to results", "Engagements over time", "Clicks per day", "Spend breakdown"):
        assert caption in text
    assert sum(len(p["/Resources"].get("/XObject", {})) for p in reader.pages) >= 5
