"""Shortlists: org-scoped, owners and managers change them, viewers read, invitations go out once."""

import pytest
from django.urls import reverse

from brands import shortlists as services
from brands.models import Shortlist, ShortlistEntry
from campaigns.models import Invitation
from marketplace.errors import PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent
from tests.campaigns.factories import CampaignFactory, make_creator

pytestmark = pytest.mark.django_db


@pytest.fixture
def shortlist(brand_org, brand_owner):
    return services.shortlist_create(organization=brand_org, by_user=brand_owner, name="Ramadan  picks")


# Services


def test_owner_creates_fills_and_empties_a_shortlist(shortlist, brand_owner, creator):
    profile = creator.creator_profile
    assert shortlist.name == "Ramadan picks"

    services.shortlist_add(shortlist=shortlist, creator=profile, by_user=brand_owner)
    services.shortlist_add(shortlist=shortlist, creator=profile, by_user=brand_owner)  # no duplicate
    assert list(shortlist.entries.values_list("creator_id", flat=True)) == [profile.pk]

    assert services.shortlist_remove(shortlist=shortlist, creator=profile, by_user=brand_owner) is True
    assert services.shortlist_remove(shortlist=shortlist, creator=profile, by_user=brand_owner) is False
    assert not shortlist.entries.exists()

    actions = list(
        AuditEvent.objects.filter(action__startswith="shortlist.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["shortlist.created", "shortlist.creator_added", "shortlist.creator_removed"]


def test_names_are_unique_per_organization(shortlist, brand_org, brand_owner, ngo_org):
    with pytest.raises(ValidationFailed) as error:
        services.shortlist_create(organization=brand_org, by_user=brand_owner, name="Ramadan picks")
    assert error.value.field == "name"
    with pytest.raises(ValidationFailed):
        services.shortlist_create(organization=brand_org, by_user=brand_owner, name="   ")


def test_viewers_and_outsiders_cannot_change_shortlists(shortlist, brand_viewer, outsider, creator):
    profile = creator.creator_profile
    for user in (brand_viewer, outsider):
        with pytest.raises(PermissionDeniedError):
            services.shortlist_add(shortlist=shortlist, creator=profile, by_user=user)
        with pytest.raises(PermissionDeniedError):
            services.shortlist_delete(shortlist=shortlist, by_user=user)
        with pytest.raises(PermissionDeniedError):
            services.shortlist_create(organization=shortlist.organization, by_user=user, name="Mine")
    assert not ShortlistEntry.objects.exists()


def test_manager_deletes_a_shortlist(shortlist, brand_manager, creator):
    services.shortlist_add(shortlist=shortlist, creator=creator.creator_profile, by_user=brand_manager)
    services.shortlist_delete(shortlist=shortlist, by_user=brand_manager)
    assert not Shortlist.objects.exists()
    assert not ShortlistEntry.objects.exists()


# Pages


def test_viewer_reads_but_cannot_add(client, shortlist, brand_viewer, creator):
    client.force_login(brand_viewer)
    detail = client.get(reverse("discovery:shortlist_detail", args=[shortlist.pk]))
    assert detail.status_code == 200
    assert "Send invitations" not in detail.content.decode()

    response = client.post(
        reverse("discovery:shortlist_add", args=[shortlist.pk]), {"creator": creator.creator_profile.pk}
    )
    assert response.status_code == 302
    assert not shortlist.entries.exists()


def test_other_organizations_shortlists_are_not_found(client, shortlist, ngo_manager, outsider, creator):
    profile = creator.creator_profile
    for user in (ngo_manager, outsider):
        client.force_login(user)
        assert client.get(reverse("discovery:shortlist_detail", args=[shortlist.pk])).status_code == 404
        for name in ("shortlist_add", "shortlist_remove", "shortlist_invite", "shortlist_delete"):
            response = client.post(reverse(f"discovery:{name}", args=[shortlist.pk]), {"creator": profile.pk})
            assert response.status_code == 404, name
    assert Shortlist.objects.filter(pk=shortlist.pk).exists()
    assert not shortlist.entries.exists()


def test_creators_and_anonymous_visitors_cannot_use_shortlists(client, creator):
    assert client.get(reverse("discovery:shortlists")).status_code == 302
    client.force_login(creator)
    assert client.get(reverse("discovery:shortlists")).status_code == 404


def test_owner_creates_a_shortlist_and_adds_from_search(client, brand_owner, brand_org, creator):
    client.force_login(brand_owner)
    response = client.post(reverse("discovery:shortlists"), {"organization": brand_org.pk, "name": "Kopi"})
    shortlist = Shortlist.objects.get(organization=brand_org, name="Kopi")
    assert response["Location"] == reverse("discovery:shortlist_detail", args=[shortlist.pk])

    search = reverse("discovery:search") + "?q=ayu"
    response = client.post(
        reverse("discovery:shortlist_add", args=[shortlist.pk]),
        {"creator": creator.creator_profile.pk, "next": search},
    )
    assert response["Location"] == search
    assert list(shortlist.entries.values_list("creator_id", flat=True)) == [creator.creator_profile.pk]


def test_invite_from_shortlist_creates_invitations_once(client, shortlist, brand_owner, campaign, creator):
    # Given two creators on the shortlist, one too big for the brief (over 100k followers)
    fits = creator.creator_profile
    too_big = make_creator(followers=500_000, avg_likes=10_000)
    for profile in (fits, too_big):
        services.shortlist_add(shortlist=shortlist, creator=profile, by_user=brand_owner)
    client.force_login(brand_owner)
    url = reverse("discovery:shortlist_invite", args=[shortlist.pk])
    data = {"campaign": campaign.pk, "creators": [fits.pk, too_big.pk], "offered_fee": "1000000"}

    # When the owner invites them
    response = client.post(url, data)

    # Then the creator who fits is invited and the other is reported, with the reason
    assert response.status_code == 200
    statuses = {r.creator.pk: r.status for r in response.context["results"]}
    assert statuses == {fits.pk: "invited", too_big.pk: "ineligible"}
    assert Invitation.objects.filter(campaign=campaign).count() == 1

    # And running it again creates nothing new
    again = client.post(url, data)
    assert {r.creator.pk: r.status for r in again.context["results"]}[fits.pk] == "already_invited"
    assert Invitation.objects.filter(campaign=campaign, creator=fits).count() == 1


def test_invite_refuses_another_organizations_campaign(client, shortlist, brand_owner, creator, ngo_org):
    services.shortlist_add(shortlist=shortlist, creator=creator.creator_profile, by_user=brand_owner)
    foreign = CampaignFactory(organization=ngo_org)
    client.force_login(brand_owner)
    response = client.post(
        reverse("discovery:shortlist_invite", args=[shortlist.pk]),
        {"campaign": foreign.pk, "creators": [creator.creator_profile.pk]},
    )
    assert response.status_code == 400
    assert "Choose one of your published campaigns." in response.content.decode()
    assert not Invitation.objects.exists()


def test_viewer_cannot_invite(client, shortlist, brand_owner, brand_viewer, campaign, creator):
    services.shortlist_add(shortlist=shortlist, creator=creator.creator_profile, by_user=brand_owner)
    client.force_login(brand_viewer)
    response = client.post(
        reverse("discovery:shortlist_invite", args=[shortlist.pk]),
        {"campaign": campaign.pk, "creators": [creator.creator_profile.pk]},
    )
    assert response.status_code == 302
    assert not Invitation.objects.exists()
