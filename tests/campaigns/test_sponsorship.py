"""Brand sponsorship of NGO cause campaigns: invited by the NGO or offered by the brand, answered by
the other side, withdrawn by the sender; who may do what; the NGO's panel and the public credit."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from brands.models import Membership, Organization
from campaigns.models import Campaign, Sponsorship
from campaigns.selectors.sponsorships import brand_for_sponsorship, sponsors_credited
from campaigns.services import sponsorship as services
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent, Notification
from tests.brands.factories import MembershipFactory, OrganizationFactory
from tests.campaigns.factories import CampaignFactory
from tests.marketplace.factories import UserFactory

S = Sponsorship.Status
AMOUNT = Decimal("5000000.00")
VERIFIED = Organization.VerificationStatus.VERIFIED


@pytest.fixture
def ngo(ngo_org):
    ngo_org.verification_status = VERIFIED
    ngo_org.save(update_fields=["verification_status"])
    return ngo_org


@pytest.fixture
def brand(brand_org):
    brand_org.verification_status = VERIFIED
    brand_org.save(update_fields=["verification_status"])
    return brand_org


@pytest.fixture
def cause(ngo):
    return CampaignFactory(organization=ngo, kind=Campaign.Kind.CAUSE, title="Clean beaches", funded=False)


def invite(cause, brand, ngo_manager, amount=AMOUNT):
    return services.sponsorship_invite(
        campaign=cause, sponsor=brand, amount=amount, message="Join us", by_user=ngo_manager
    )


def offer(cause, brand, brand_manager, amount=AMOUNT):
    return services.sponsorship_offer(
        campaign=cause, sponsor=brand, amount=amount, message="We'd love to help", by_user=brand_manager
    )


def notified(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).count()


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# The two ways in, and the answers


def test_ngo_invites_a_brand_which_accepts_and_the_ngo_hears_it(cause, brand, ngo_manager, brand_manager):
    sponsorship = invite(cause, brand, ngo_manager)

    assert (sponsorship.status, sponsorship.amount, sponsorship.currency) == (S.INVITED, AMOUNT, "IDR")
    assert notified(brand_manager, "sponsorship.invited") == 1
    assert notified(ngo_manager, "sponsorship.invited") == 0

    services.sponsorship_accept(sponsorship=sponsorship, by_user=brand_manager)

    sponsorship.refresh_from_db()
    assert (sponsorship.status, sponsorship.decided_by) == (S.ACCEPTED, brand_manager)
    assert notified(ngo_manager, "sponsorship.accepted") == 1
    assert list(
        AuditEvent.objects.filter(target_id=str(sponsorship.pk), action__startswith="sponsorship.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["sponsorship.invited", "sponsorship.accepted"]


def test_brand_offers_from_the_public_brief_and_the_ngo_accepts_on_its_manage_page(
    client, cause, brand, ngo_manager, brand_manager
):
    client.force_login(brand_manager)
    brief = client.get(reverse("campaigns:brief_detail", args=[cause.pk])).content.decode()
    offer_url = reverse("campaigns:sponsorship_offer", args=[cause.pk])
    assert offer_url in brief

    response = client.post(offer_url, {"sponsor": brand.pk, "amount": "5000000", "message": "Count us in"})

    sponsorship = Sponsorship.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("campaigns:sponsorship_detail", args=[sponsorship.pk])
    assert (sponsorship.status, sponsorship.sponsor, sponsorship.created_by) == (
        S.OFFERED,
        brand,
        brand_manager,
    )
    assert notified(ngo_manager, "sponsorship.offered") == 1

    client.force_login(ngo_manager)
    manage = client.get(reverse("campaigns:campaign_manage", args=[cause.pk])).content.decode()
    assert f'id="sponsorship-{sponsorship.pk}"' in manage
    assert reverse("campaigns:sponsorship_accept", args=[sponsorship.pk]) in manage
    assert "Count us in" in manage

    answer = client.post(reverse("campaigns:sponsorship_accept", args=[sponsorship.pk]), {"back": "manage"})

    assert answer.url == reverse("campaigns:campaign_manage", args=[cause.pk])
    sponsorship.refresh_from_db()
    assert sponsorship.status == S.ACCEPTED
    assert notified(brand_manager, "sponsorship.accepted") == 1


def test_the_sender_cannot_answer_its_own_invitation_or_offer(cause, brand, ngo_manager, brand_manager):
    invited = invite(cause, brand, ngo_manager)
    with pytest.raises(PermissionDeniedError, match="Kopi Nusantara answers this invitation"):
        services.sponsorship_accept(sponsorship=invited, by_user=ngo_manager)
    services.sponsorship_withdraw(sponsorship=invited, by_user=ngo_manager)

    offered = offer(cause, brand, brand_manager)
    with pytest.raises(PermissionDeniedError, match="Laut Bersih answers this offer"):
        services.sponsorship_decline(sponsorship=offered, by_user=brand_manager)
    with pytest.raises(PermissionDeniedError, match="which sent it"):
        services.sponsorship_withdraw(sponsorship=offered, by_user=ngo_manager)
    assert Sponsorship.objects.get(pk=offered.pk).status == S.OFFERED


def test_answered_sponsorships_cannot_be_answered_or_withdrawn_again(
    cause, brand, ngo_manager, brand_manager
):
    sponsorship = invite(cause, brand, ngo_manager)
    services.sponsorship_decline(sponsorship=sponsorship, by_user=brand_manager)

    for call, user in (
        (services.sponsorship_accept, brand_manager),
        (services.sponsorship_decline, brand_manager),
        (services.sponsorship_withdraw, ngo_manager),
    ):
        with pytest.raises(InvalidTransition, match="“Declined”"):
            call(sponsorship=sponsorship, by_user=user)
    assert Sponsorship.objects.get(pk=sponsorship.pk).status == S.DECLINED


def test_one_live_sponsorship_per_brand_and_campaign(cause, brand, ngo_manager, brand_manager):
    first = invite(cause, brand, ngo_manager)
    with pytest.raises(ValidationFailed, match="already has a sponsorship of this campaign") as refused:
        offer(cause, brand, brand_manager)
    assert refused.value.field == "sponsor"

    services.sponsorship_withdraw(sponsorship=first, by_user=ngo_manager)
    again = offer(cause, brand, brand_manager)  # the withdrawn one is no longer live

    assert again.status == S.OFFERED
    assert Sponsorship.objects.filter(status__in=Sponsorship.LIVE).count() == 1


# Who may


def test_viewers_cannot_invite_offer_or_answer(
    cause, brand, ngo_org, ngo_manager, brand_manager, brand_viewer
):
    ngo_viewer = UserFactory()
    MembershipFactory(organization=ngo_org, user=ngo_viewer, role=Membership.Role.VIEWER)

    with pytest.raises(PermissionDeniedError):
        invite(cause, brand, ngo_viewer)
    with pytest.raises(PermissionDeniedError):
        offer(cause, brand, brand_viewer)
    sponsorship = invite(cause, brand, ngo_manager)
    with pytest.raises(PermissionDeniedError):
        services.sponsorship_accept(sponsorship=sponsorship, by_user=brand_viewer)
    with pytest.raises(PermissionDeniedError):
        services.sponsorship_withdraw(sponsorship=sponsorship, by_user=ngo_viewer)
    assert Sponsorship.objects.get().status == S.INVITED


def test_a_viewer_answering_through_the_page_changes_nothing(client, cause, brand, ngo_manager, brand_viewer):
    sponsorship = invite(cause, brand, ngo_manager)
    client.force_login(brand_viewer)

    page = client.get(reverse("campaigns:sponsorship_detail", args=[sponsorship.pk]))
    response = client.post(reverse("campaigns:sponsorship_accept", args=[sponsorship.pk]), follow=True)

    assert page.status_code == 200
    assert reverse("campaigns:sponsorship_accept", args=[sponsorship.pk]) not in page.content.decode()
    assert any("owners and managers of that brand" in m for m in messages_of(response))
    assert Sponsorship.objects.get().status == S.INVITED


def test_other_organizations_get_404(client, cause, brand, ngo_manager, outsider):
    sponsorship = invite(cause, brand, ngo_manager)
    other_brand_manager = UserFactory()
    other = OrganizationFactory(kind="brand", verification_status=VERIFIED)
    MembershipFactory(organization=other, user=other_brand_manager, role=Membership.Role.MANAGER)

    for user in (outsider, other_brand_manager):
        client.force_login(user)
        assert client.get(reverse("campaigns:sponsorship_detail", args=[sponsorship.pk])).status_code == 404
        for name in ("sponsorship_accept", "sponsorship_decline", "sponsorship_withdraw", "sponsorship_fund"):
            assert client.post(reverse(f"campaigns:{name}", args=[sponsorship.pk])).status_code == 404
        assert client.get(reverse("campaigns:org_sponsorships", args=[brand.slug])).status_code == 404
        assert client.post(reverse("campaigns:sponsorship_invite", args=[cause.pk])).status_code == 404
    assert Sponsorship.objects.get().status == S.INVITED


# Which campaigns and which organizations


def test_a_brand_cannot_sponsor_a_commercial_brief(client, brand, brand_manager):
    other_brand = OrganizationFactory(kind="brand", verification_status=VERIFIED)
    commercial = CampaignFactory(organization=other_brand, funded=False)

    with pytest.raises(ValidationFailed, match="commercial brief"):
        offer(commercial, brand, brand_manager)

    client.force_login(brand_manager)
    brief = client.get(reverse("campaigns:brief_detail", args=[commercial.pk])).content.decode()
    assert reverse("campaigns:sponsorship_offer", args=[commercial.pk]) not in brief
    page = client.get(reverse("campaigns:sponsorship_offer", args=[commercial.pk]))
    assert "commercial brief" in page.content.decode()
    assert not Sponsorship.objects.exists()


def test_an_unverified_ngo_is_refused(cause, ngo, brand, ngo_manager, brand_manager, client):
    ngo.verification_status = Organization.VerificationStatus.PENDING
    ngo.save(update_fields=["verification_status"])
    cause.refresh_from_db()

    with pytest.raises(InvalidTransition, match="Laut Bersih is not verified yet"):
        invite(cause, brand, ngo_manager)
    with pytest.raises(InvalidTransition, match="Laut Bersih is not verified yet"):
        offer(cause, brand, brand_manager)

    client.force_login(ngo_manager)
    manage = client.get(reverse("campaigns:campaign_manage", args=[cause.pk])).content.decode()
    assert 'data-testid="sponsorship-refusal"' in manage
    assert reverse("campaigns:sponsorship_invite", args=[cause.pk]) not in manage
    assert not Sponsorship.objects.exists()


def test_an_ngo_that_loses_its_verification_cannot_accept_an_offer(
    cause, ngo, brand, ngo_manager, brand_manager
):
    sponsorship = offer(cause, brand, brand_manager)
    Organization.objects.filter(pk=ngo.pk).update(
        verification_status=Organization.VerificationStatus.REJECTED
    )

    with pytest.raises(InvalidTransition, match="not verified yet"):
        services.sponsorship_accept(sponsorship=sponsorship, by_user=ngo_manager)
    assert Sponsorship.objects.get().status == S.OFFERED


def test_an_unverified_brand_is_refused(cause, brand_org, ngo_manager):
    with pytest.raises(InvalidTransition, match="Kopi Nusantara is not verified yet"):
        invite(cause, brand_org, ngo_manager)


def test_only_a_brand_sponsors(cause, ngo, ngo_manager):
    other_ngo = OrganizationFactory(kind="ngo", verification_status=VERIFIED)

    for sponsor in (ngo, other_ngo):
        with pytest.raises(ValidationFailed, match="is not a brand"):
            invite(cause, sponsor, ngo_manager)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"compensation": Campaign.Compensation.VOLUNTEER, "fee_min": None, "fee_max": None}, "volunteer"),
        ({"status": Campaign.Status.CLOSED}, "is closed"),
        ({"status": Campaign.Status.CANCELLED}, "is cancelled"),
    ],
)
def test_volunteer_and_finished_campaigns_take_no_sponsors(ngo, brand, ngo_manager, fields, message):
    campaign = CampaignFactory(organization=ngo, kind=Campaign.Kind.CAUSE, funded=False, **fields)

    with pytest.raises(ValidationFailed if "volunteer" in message else InvalidTransition, match=message):
        invite(campaign, brand, ngo_manager)


def test_a_draft_campaign_takes_sponsors(ngo, brand, ngo_manager):
    draft = CampaignFactory(
        organization=ngo, kind=Campaign.Kind.CAUSE, status=Campaign.Status.DRAFT, funded=False
    )

    assert invite(draft, brand, ngo_manager).status == S.INVITED


def test_accepting_after_the_campaign_closed_is_refused(cause, brand, ngo_manager, brand_manager):
    sponsorship = invite(cause, brand, ngo_manager)
    Campaign.objects.filter(pk=cause.pk).update(status=Campaign.Status.CLOSED)

    with pytest.raises(InvalidTransition, match="no longer takes sponsors"):
        services.sponsorship_accept(sponsorship=sponsorship, by_user=brand_manager)


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "above 0"), ("-5", "above 0"), ("abc", "as a number"), ("", "as a number"), ("1e20", "at most")],
)
def test_bad_amounts_are_refused_naming_the_field(cause, brand, ngo_manager, amount, message):
    with pytest.raises(ValidationFailed, match=message) as refused:
        invite(cause, brand, ngo_manager, amount=amount)
    assert refused.value.field == "amount"


# Finding the brand to invite


def test_the_invite_form_finds_a_brand_by_address_or_name(client, cause, brand, ngo_manager):
    client.force_login(ngo_manager)
    url = reverse("campaigns:sponsorship_invite", args=[cause.pk])

    response = client.post(url, {"sponsor": "kopi nusantara", "amount": "2500000", "message": ""})

    assert response.status_code == 302
    assert Sponsorship.objects.get().sponsor == brand
    assert brand_for_sponsorship("kopi-nusantara") == brand
    assert brand_for_sponsorship("Nusantara") == brand


def test_the_invite_form_explains_an_unknown_or_ambiguous_brand(client, cause, brand, ngo_manager):
    OrganizationFactory(kind="brand", name="Kopi Kenangan", slug="kopi-kenangan")
    client.force_login(ngo_manager)
    url = reverse("campaigns:sponsorship_invite", args=[cause.pk])

    ambiguous = client.post(url, {"sponsor": "Kopi", "amount": "2500000"})
    unknown = client.post(url, {"sponsor": "Teh Botol", "amount": "2500000"})
    zero = client.post(url, {"sponsor": "kopi-nusantara", "amount": "0"})

    assert ambiguous.status_code == 200
    assert ambiguous.context["form"].errors["sponsor"] == [
        "Several brands match “Kopi”: Kopi Kenangan (kopi-kenangan), Kopi Nusantara (kopi-nusantara). "
        "Enter the address in brackets of the one you mean."
    ]
    assert "No brand on Kolabo matches “Teh Botol”" in unknown.context["form"].errors["sponsor"][0]
    assert zero.context["form"].errors["amount"] == ["Enter an amount above 0."]
    assert not Sponsorship.objects.exists()


# Credit and pages


def test_the_public_brief_credits_accepted_sponsors_only_with_their_logos(
    client, settings, tmp_path, cause, brand, ngo_manager, brand_manager, creator
):
    settings.MEDIA_ROOT = tmp_path
    brand.logo = SimpleUploadedFile(
        "kopi.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"
    )
    brand.save()
    second = OrganizationFactory(kind="brand", name="Sabun Hijau", verification_status=VERIFIED)
    pending = OrganizationFactory(kind="brand", name="Teh Manis", verification_status=VERIFIED)
    services.sponsorship_accept(sponsorship=invite(cause, brand, ngo_manager), by_user=brand_manager)
    second_manager = UserFactory()
    MembershipFactory(organization=second, user=second_manager, role=Membership.Role.MANAGER)
    services.sponsorship_accept(sponsorship=invite(cause, second, ngo_manager), by_user=second_manager)
    invite(cause, pending, ngo_manager)

    client.force_login(creator)
    html = client.get(reverse("campaigns:brief_detail", args=[cause.pk])).content.decode()

    assert sponsors_credited(cause) == [brand, second]
    assert "Sponsored by Kopi Nusantara and Sabun Hijau" in html
    assert "Teh Manis" not in html
    assert brand.logo.url in html
    # A creator is offered no sponsorship button.
    assert reverse("campaigns:sponsorship_offer", args=[cause.pk]) not in html


def test_the_brand_sees_its_sponsorships_and_the_ngo_its_sponsors(
    client, cause, brand, ngo, ngo_manager, brand_viewer
):
    sponsorship = invite(cause, brand, ngo_manager)

    client.force_login(brand_viewer)
    brand_page = client.get(reverse("campaigns:org_sponsorships", args=[brand.slug])).content.decode()
    client.force_login(ngo_manager)
    ngo_page = client.get(reverse("campaigns:org_sponsorships", args=[ngo.slug])).content.decode()

    for html in (brand_page, ngo_page):
        assert f'id="sponsorship-{sponsorship.pk}"' in html
        assert "Clean beaches" in html
        assert "Rp 5.000.000" in html
    assert "Laut Bersih" in brand_page
    assert "Kopi Nusantara" in ngo_page


def test_the_manage_panel_stays_within_its_queries_whatever_the_number_of_sponsors(
    client, cause, ngo_manager, django_assert_max_num_queries
):
    client.force_login(ngo_manager)
    url = reverse("campaigns:campaign_manage", args=[cause.pk])

    def add_sponsor():
        org = OrganizationFactory(kind="brand", verification_status=VERIFIED)
        invite(cause, org, ngo_manager)

    add_sponsor()
    with django_assert_max_num_queries(45) as one:
        client.get(url)
    for _ in range(5):
        add_sponsor()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-status="invited"') == 6


def test_a_commercial_brief_has_no_sponsor_panel(client, campaign, brand_manager):
    client.force_login(brand_manager)

    html = client.get(reverse("campaigns:campaign_manage", args=[campaign.pk])).content.decode()

    assert 'data-testid="sponsorship-panel"' not in html
