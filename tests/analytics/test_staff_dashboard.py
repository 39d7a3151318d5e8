"""The staff dashboard: figures against hand-computed numbers, staff only (with MFA), and the
exposure Gini exactly as `manage.py exposure_report` prints it."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from analytics.staff_selectors import exposure_figures, gross_value, staff_dashboard
from brands.models import VerificationRequest
from campaigns.match_index import match_index_reset
from campaigns.models import Campaign, Collaboration, Dispute
from campaigns.ranking import match_features_refresh
from campaigns.recommendations import exposure_report
from payments.models import Payout
from tests.analytics.clock import clock_at
from tests.brands.factories import VerificationRequestFactory
from tests.campaigns.factories import CampaignFactory, make_creator, start_collaboration
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory
from tests.marketplace.mfa_helpers import login_with_mfa

pytestmark = pytest.mark.django_db

URL = "/staff/dashboard/"


def at(year, month, day=15):
    return timezone.make_aware(datetime.datetime(year, month, day, 12, 0))


def payout(collaboration, status, amount):
    return Payout.objects.create(
        collaboration=collaboration,
        creator=collaboration.creator,
        amount=Decimal(amount),
        reserved_amount=Decimal(amount),
        currency=collaboration.currency,
        status=status,
    )


@pytest.fixture
def figures(brand_org, brand_owner, ngo_org, ngo_manager):
    """Three funded campaigns in two months and two currencies, payouts, disputes, verifications."""
    with clock_at(at(2025, 11)):
        # IDR brand brief: 2 slots × Rp 1,000,000 escrow + 10% fee = Rp 200,000.
        idr = CampaignFactory(organization=brand_org)
        # IDR NGO cause campaign: 1 slot × Rp 500,000 + 5% fee = Rp 25,000.
        cause = CampaignFactory(
            organization=ngo_org, kind=Campaign.Kind.CAUSE, slots=1, fee_min=500_000, fee_max=500_000
        )
    with clock_at(at(2025, 12)):
        # USD brand brief: 1 slot × US$100 + 10% = US$10.
        usd = CampaignFactory(organization=brand_org, currency="USD", slots=1, fee_min=100, fee_max=100)
    CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT, funded=False)
    CampaignFactory(organization=brand_org, status=Campaign.Status.CLOSED, funded=False)

    first = start_collaboration(idr, make_creator(), by_user=brand_owner)
    second = start_collaboration(idr, make_creator(), by_user=brand_owner)
    dollars = start_collaboration(usd, make_creator(), by_user=brand_owner, fee=Decimal("100"))
    on_cause = start_collaboration(cause, make_creator(), by_user=ngo_manager, fee=Decimal("500000"))
    payout(first, Payout.Status.REQUESTED, "1000000")
    payout(second, Payout.Status.HELD, "1000000")
    payout(on_cause, Payout.Status.PROCESSING, "500000")
    payout(dollars, Payout.Status.PAID, "100")

    Dispute.objects.create(collaboration=first, raised_by=brand_owner, reason="Late")
    Dispute.objects.create(
        collaboration=second, raised_by=brand_owner, reason="Wrong", status=Dispute.Status.RESOLVED
    )
    Collaboration.objects.filter(pk=first.pk).update(status=Collaboration.Status.DISPUTED)

    two_days = VerificationRequestFactory()
    ten_days = VerificationRequestFactory()
    VerificationRequestFactory(status=VerificationRequest.Status.APPROVED)
    now = timezone.now()
    VerificationRequest.objects.filter(pk=two_days.pk).update(submitted_at=now - datetime.timedelta(days=2))
    VerificationRequest.objects.filter(pk=ten_days.pk).update(submitted_at=now - datetime.timedelta(days=10))
    return {"oldest": now - datetime.timedelta(days=10)}


def test_gross_value_per_currency_and_month(figures):
    lines = {line.currency: line for line in gross_value()}

    assert set(lines) == {"IDR", "USD"}
    assert [(m.month, m.escrow, m.fees) for m in lines["IDR"].months] == [
        (datetime.date(2025, 11, 1), Decimal("2500000.00"), Decimal("225000.00"))
    ]
    assert lines["IDR"].gross == Decimal("2725000.00")
    assert [(m.month, m.escrow, m.fees) for m in lines["USD"].months] == [
        (datetime.date(2025, 12, 1), Decimal("100.00"), Decimal("10.00"))
    ]


def test_payouts_disputes_verifications_and_campaigns(figures, django_assert_num_queries):
    with django_assert_num_queries(5):
        data = staff_dashboard()

    pending = {status: (f.count, f.amounts) for status, f in data.payouts_pending.items()}
    assert pending["requested"] == (1, {"IDR": Decimal("1000000.00")})
    assert pending["held"] == (1, {"IDR": Decimal("1000000.00")})
    assert pending["processing"] == (1, {"IDR": Decimal("500000.00")})
    assert pending["approved"] == (0, {}) and pending["unknown"] == (0, {})
    assert data.pending_total.count == 3
    assert data.pending_total.amounts == {"IDR": Decimal("2500000.00")}
    assert (data.payouts_paid.count, data.payouts_paid.amounts) == (1, {"USD": Decimal("100.00")})
    assert (data.disputes_open, data.disputes_resolved) == (1, 1)
    assert data.verifications_pending == 2
    assert abs(data.verification_oldest - figures["oldest"]) < datetime.timedelta(seconds=5)
    assert data.verification_ages == [
        ("Under a day", 0),
        ("1 to 3 days", 1),
        ("3 to 7 days", 0),
        ("Over 7 days", 1),
    ]
    # Published only: the draft and the closed brief are not active.
    assert data.campaigns_by_kind == {"commercial": 2, "cause": 1}


def test_the_page_shows_the_figures_with_charts(client, figures, staff_user):
    login_with_mfa(client, staff_user)

    html = client.get(URL).content.decode()

    assert 'data-testid="staff-gross"' in html
    assert "Rp 2.725.000" in html and "US$110.00" in html
    assert (
        '<tr data-status="requested"><th scope="row">Waiting for review</th><td data-figure="count">1</td>'
        in html
    )
    assert "Chart: Gross value per month in IDR" in html
    for title in ("Payouts by stage (count)", "Disputes", "Published campaigns by kind"):
        assert f"Chart: {title}." in html
    assert html.count('<details class="chart-data"') >= 7  # every chart has its data table


def test_staff_only_others_get_404(client, creator, brand_owner, outsider):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    for user in (creator, brand_owner, outsider):
        login_with_mfa(client, user)  # even with a second factor
        assert client.get(URL).status_code == 404
        client.logout()


def test_staff_without_mfa_are_sent_to_set_it_up(client, staff_user):
    client.force_login(staff_user)

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("staff_mfa_setup") + "?next=%2Fstaff%2Fdashboard%2F"


def test_any_staff_member_with_mfa_may_open_it_and_the_staff_panel_links_to_it(client, support_staff):
    login_with_mfa(client, support_staff)

    assert client.get(URL).status_code == 200
    assert f'href="{URL}" data-work="staff-dashboard"' in client.get(reverse("dashboard")).content.decode()


# Exposure fairness


@pytest.fixture
def crowd(settings):
    settings.RECOMMENDATIONS_PER_BRIEF = 3
    for n in range(6):
        profile = CreatorProfileFactory(slug=f"micro-{n}")
        SocialAccountFactory(
            profile=profile, handle=f"micro-{n}", followers=20_000 + 1_000 * n, avg_likes=600 + 60 * n
        )
    for n in range(2):
        profile = CreatorProfileFactory(slug=f"nano-{n}")
        SocialAccountFactory(profile=profile, handle=f"nano-{n}", followers=5_000, avg_likes=100 + 10 * n)
    match_features_refresh()
    match_index_reset()
    for _ in range(3):
        CampaignFactory(nano_share=20)


def test_the_gini_is_the_one_exposure_report_prints(client, crowd, staff_user):
    out = StringIO()
    call_command("exposure_report", stdout=out)
    report = exposure_report()
    login_with_mfa(client, staff_user)

    html = client.get(URL).content.decode()

    printed = dict(part.split("=") for part in out.getvalue().split())
    assert f'<td data-figure="gini-before">{printed["gini_before"]}</td>' in html
    assert f'<td data-figure="gini-after">{printed["gini_after"]}</td>' in html
    assert printed["gini_after"] == f"{report.gini_after:.4f}"
    # The tier chart counts every recommendation once: 3 briefs × 3 places.
    figures = exposure_figures()
    assert sum(figures.report.tiers_after.values()) == sum(figures.report.tiers_before.values()) == 9
    assert figures.report.tiers_after.get("nano", 0) >= 3  # the nano reserve: one place per brief
    assert "Chart: Recommendations by follower tier, with fair exposure." in html


def test_the_exposure_figures_are_cached_and_say_when(crowd):
    first = exposure_figures()
    CampaignFactory()  # a fourth brief: not counted until the cache expires or is refreshed
    assert exposure_figures().computed_at == first.computed_at
    assert exposure_figures(refresh=True).report.briefs == 4
