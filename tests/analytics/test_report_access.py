"""Who may read a campaign's report: the organization's members (viewers included), nobody else.
A creator sees their own collaboration's figures on its page, and never the campaign report."""

import pytest
from django.urls import reverse

from brands.models import Membership
from tests.analytics.report_helpers import golden_campaign
from tests.brands.factories import MembershipFactory, OrganizationFactory
from tests.marketplace.factories import UserFactory

pytestmark = pytest.mark.django_db

REPORT_URLS = ("campaign_report", "campaign_report_print", "campaign_report_pdf", "campaign_report_csv")


@pytest.fixture
def golden(ngo_org):
    return golden_campaign(ngo_org, ngo_org.memberships.get().user)


def urls(campaign):
    return [reverse(f"analytics:{name}", args=[campaign.pk]) for name in REPORT_URLS]


def test_a_viewer_of_the_organization_reads_the_report_and_its_exports(client, golden, ngo_org):
    viewer = UserFactory()
    MembershipFactory(organization=ngo_org, user=viewer, role=Membership.Role.VIEWER)
    client.force_login(viewer)
    for url in urls(golden["campaign"]):
        response = client.get(url)
        assert response.status_code == 200, url
    api = client.get(reverse("api:campaign_report", args=[golden["campaign"].pk]))
    assert api.status_code == 200


def test_another_organization_gets_404_everywhere(client, golden, outsider):
    other = OrganizationFactory(name="Someone else")
    MembershipFactory(organization=other, user=outsider, role=Membership.Role.OWNER)
    client.force_login(outsider)
    for url in urls(golden["campaign"]):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("api:campaign_report", args=[golden["campaign"].pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, golden):
    for url in urls(golden["campaign"]):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_creator_of_one_collaboration_sees_only_its_figures(client, golden):
    ayu, budi = golden["ayu"], golden["budi"]
    client.force_login(ayu.creator.user)
    for url in urls(golden["campaign"]):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("api:campaign_report", args=[golden["campaign"].pk])).status_code == 404

    page = client.get(reverse("campaigns:collaboration_detail", args=[ayu.pk])).content.decode()
    block = page[page.index('data-testid="collaboration-figures"') :]
    block = block[: block.index("</section>")]
    # Ayu's own numbers: 10,000 views, 1,000 engagements, 30 clicks, 6 conversions.
    assert 'data-figure="views" data-value="10000"' in block
    assert 'data-figure="engagements" data-value="1000"' in block
    assert 'data-figure="clicks" data-value="30"' in block
    assert 'data-figure="conversions" data-value="6"' in block
    # Not the campaign's totals, not Budi's, and no link to the report she cannot open.
    assert 'data-value="1350"' not in page and 'data-value="40"' not in block
    assert reverse("analytics:campaign_report", args=[golden["campaign"].pk]) not in page
    assert client.get(reverse("campaigns:collaboration_detail", args=[budi.pk])).status_code == 404


def test_the_organization_sees_the_collaboration_figures_with_a_link_to_the_report(client, golden, ngo_org):
    client.force_login(ngo_org.memberships.get().user)
    page = client.get(reverse("campaigns:collaboration_detail", args=[golden["budi"].pk])).content.decode()
    assert 'data-figure="engagements" data-value="350"' in page
    assert "Self-reported" in page
    assert reverse("analytics:campaign_report", args=[golden["campaign"].pk]) in page


def test_the_manage_page_shows_headline_figures_and_report_links(client, golden, ngo_org):
    client.force_login(ngo_org.memberships.get().user)
    campaign = golden["campaign"]
    page = client.get(reverse("campaigns:campaign_manage", args=[campaign.pk])).content.decode()
    panel = page[page.index('data-testid="analytics-panel"') :]
    panel = panel[: panel.index("</section>")]
    assert 'data-figure="engagements" data-value="1350"' in panel
    assert 'data-figure="clicks" data-value="40"' in panel
    assert 'data-figure="conversions" data-value="7"' in panel
    for name in ("campaign_report", "campaign_report_pdf", "campaign_report_csv"):
        assert reverse(f"analytics:{name}", args=[campaign.pk]) in panel


def test_collaboration_figures_block_costs_three_queries(golden, django_assert_num_queries):
    from analytics.templatetags.analytics import collaboration_figures

    collaboration = golden["ayu"]
    user = collaboration.creator.user  # the page loads both with the collaboration
    with django_assert_num_queries(3):
        collaboration_figures(collaboration, user)


def _sponsorship(campaign, sponsor, status):
    from campaigns.models import Sponsorship

    return Sponsorship.objects.create(
        campaign=campaign, sponsor=sponsor, status=status, amount="1000000", currency=campaign.currency
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [("accepted", 200), ("offered", 404), ("invited", 404), ("declined", 404), ("withdrawn", 404)],
)
def test_only_an_accepted_sponsors_members_read_the_report(client, golden, status, expected):
    campaign = golden["campaign"]
    brand = OrganizationFactory(name="Sponsor brand")
    member = UserFactory()
    MembershipFactory(organization=brand, user=member, role=Membership.Role.VIEWER)
    _sponsorship(campaign, brand, status)
    client.force_login(member)

    for url in urls(campaign):
        assert client.get(url).status_code == expected, url
    assert client.get(reverse("api:campaign_report", args=[campaign.pk])).status_code == expected
    # Reading the report does not open the NGO's own pages.
    assert client.get(reverse("campaigns:campaign_manage", args=[campaign.pk])).status_code == 404


def test_a_sponsor_reads_the_report_under_its_own_organization(client, golden):
    campaign = golden["campaign"]
    brand = OrganizationFactory(name="Sponsor brand")
    member = UserFactory()
    MembershipFactory(organization=brand, user=member, role=Membership.Role.MANAGER)
    _sponsorship(campaign, brand, "accepted")
    client.force_login(member)

    page = client.get(reverse("analytics:campaign_report", args=[campaign.pk]))

    assert page.context["as_sponsor"] is True
    assert page.context["organization"] == brand
    assert "sponsors this campaign" in page.content.decode()


def test_a_sponsor_who_leaves_its_organization_loses_the_report(client, golden):
    campaign = golden["campaign"]
    brand = OrganizationFactory(name="Sponsor brand")
    member = UserFactory()
    membership = MembershipFactory(organization=brand, user=member, role=Membership.Role.MANAGER)
    _sponsorship(campaign, brand, "accepted")
    client.force_login(member)
    url = reverse("analytics:campaign_report", args=[campaign.pk])
    assert client.get(url).status_code == 200

    membership.delete()

    assert client.get(url).status_code == 404
