"""Roster creators and consent (issue 13): optional columns with stated defaults, unknown niches
as warnings, unclaimed creators private to the importing organization, claiming, where the data
came from, and deletion at the data subject's request."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaigns.eligibility import check_eligibility
from creators import selectors
from creators.discovery import creator_search
from creators.models import CreatorProfile, Niche, SocialAccount
from creators.roster.claims import roster_claim_invitations_send
from creators.roster.importing import roster_import
from creators.roster.validation import is_placeholder_email
from marketplace.models import AuditEvent, Notification, User
from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _import(org, user, text: str, **kwargs):
    return roster_import(organization=org, by_user=user, content=text.encode(), **kwargs)


def _profile(handle: str) -> CreatorProfile:
    return SocialAccount.objects.select_related("profile__user").get(handle=handle).profile


# Optional columns and defaults


def test_a_row_with_only_handle_platform_niche_and_followers_imports_with_the_stated_defaults(
    brand_org, brand_owner
):
    niche = Niche.objects.order_by("position").first()

    result = _import(
        brand_org, brand_owner, f"platform,handle,niches,followers\ninstagram,@Sari.Eats,{niche.slug},4200\n"
    )

    assert (result.created, result.errors, result.warnings) == (1, [], [])
    account = SocialAccount.objects.get(handle="sari.eats")
    profile = account.profile
    assert profile.display_name == "sari.eats"  # name = handle
    assert (profile.country, profile.currency, profile.languages) == (
        brand_org.country,
        brand_org.default_currency,
        [],
    )
    assert list(profile.niches.all()) == [niche]
    assert account.metrics_date == timezone.localdate()  # metrics date = the import date
    assert (account.followers, account.tier) == (4200, "nano")
    # Unknown is not zero: the empty counts are NULL, and so is the engagement rate.
    assert [account.following, account.posts, account.avg_likes, account.avg_comments, account.avg_views] == [
        None
    ] * 5
    assert account.engagement_rate is None
    assert is_placeholder_email(profile.user.email) and not profile.user.has_usable_password()
    assert not mail.outbox  # no address to send the claim link to: the organization shares it


def test_an_unknown_niche_imports_the_creator_without_it_and_warns_by_line(brand_org, brand_owner):
    known = Niche.objects.order_by("position").first()

    result = _import(
        brand_org,
        brand_owner,
        "platform,handle,followers,niches\n"
        f"instagram,one.niche,5000,{known.slug}|underwater-basket\n"
        "tiktok,no.niche,7000,underwater-basket\n",
    )

    assert (result.created, result.errors) == (2, [])
    assert [(w.line, w.column) for w in result.warnings] == [(2, "niches"), (3, "niches")]
    assert "“underwater-basket” is not a niche we know" in result.warnings[0].message
    assert list(_profile("one.niche").niches.all()) == [known]
    assert not _profile("no.niche").niches.exists()


def test_a_new_account_still_needs_its_followers(brand_org, brand_owner):
    result = _import(brand_org, brand_owner, "platform,handle\ninstagram,no.count\n")

    assert [(e.line, e.column) for e in result.errors] == [(2, "followers")]
    assert not result.written


def test_likes_without_comments_leave_the_engagement_rate_unknown(brand_org, brand_owner):
    _import(
        brand_org,
        brand_owner,
        "platform,handle,followers,avg_likes,avg_comments\ninstagram,half.known,10000,300,\n",
    )

    account = SocialAccount.objects.get(handle="half.known")
    assert (account.avg_likes, account.avg_comments, account.engagement_rate) == (300, None, None)


# Private until claimed


@pytest.fixture
def imported(brand_org, brand_owner, django_capture_on_commit_callbacks):
    """Two roster creators of brand_org: one with an email (invited by email), one without."""
    niche = Niche.objects.order_by("position").first()
    with django_capture_on_commit_callbacks(execute=True):
        _import(
            brand_org,
            brand_owner,
            "email,platform,handle,followers,avg_likes,avg_comments,niches\n"
            f"dewi@example.com,instagram,dewi.makes,12000,600,40,{niche.slug}\n"
            f",tiktok,rudi.rides,30000,900,30,{niche.slug}\n",
        )
    return {"dewi": _profile("dewi.makes"), "rudi": _profile("rudi.rides")}


def test_unclaimed_creators_are_invisible_to_other_organizations_and_to_discovery(
    client, imported, brand_owner, ngo_manager, creator
):
    dewi = imported["dewi"]
    listed = set(CreatorProfile.objects.publicly_listed().values_list("pk", flat=True))
    assert dewi.pk not in listed and imported["rudi"].pk not in listed
    assert creator.creator_profile.pk in listed

    # Discovery, for the importing organization too: only claimed profiles are searchable.
    for viewer in (ngo_manager, brand_owner):
        found = set(creator_search(filters={}, viewer=viewer).values_list("pk", flat=True))
        assert creator.creator_profile.pk in found
        assert dewi.pk not in found and imported["rudi"].pk not in found

    # The profile page: the importing organization's managers only.
    url = reverse("creators:profile_public", args=[dewi.slug])
    assert client.get(url).status_code == 404
    client.force_login(ngo_manager)
    assert client.get(url).status_code == 404
    client.force_login(brand_owner)
    assert client.get(url).status_code == 200
    assert selectors.creator_profile_public(slug=dewi.slug, viewer=ngo_manager) is None


def test_the_organization_sees_its_roster_and_copies_the_claim_links(
    client, imported, brand_org, brand_owner, ngo_manager
):
    url = reverse("roster:creators", args=[brand_org.pk])
    client.force_login(ngo_manager)
    assert client.get(url).status_code == 404

    client.force_login(brand_owner)
    page = client.get(url).content.decode()

    assert page.count('data-testid="roster-creator"') == 2
    assert reverse("roster:claim", args=[imported["rudi"].claim_token]) in page
    assert "dewi@example.com" in page and "Roster, unclaimed" in page
    assert "unclaimed.kolabo.invalid" not in page


def test_the_claim_link_is_emailed_once_when_the_file_gives_an_email(
    imported, django_capture_on_commit_callbacks
):
    dewi = CreatorProfile.objects.get(pk=imported["dewi"].pk)
    assert dewi.claim_invited_at is not None
    sent = [message for message in mail.outbox if message.to == ["dewi@example.com"]]
    assert len(sent) == 1
    assert "Kopi Nusantara" in sent[0].subject
    assert reverse("roster:claim", args=[dewi.claim_token]) in sent[0].body
    assert "UU PDP" in sent[0].body

    # A redelivered task sends nothing more.
    assert roster_claim_invitations_send(profile_ids=[dewi.pk, imported["rudi"].pk]) == 0
    assert len(mail.outbox) == 1


def test_the_claim_page_says_where_the_data_came_from_and_the_lawful_basis(client, imported):
    page = client.get(reverse("roster:claim", args=[imported["rudi"].claim_token])).content.decode()

    assert "Kopi Nusantara imported this profile into Kolabo on" in page
    assert "TikTok @rudi.rides" in page
    assert "Law 27/2022" in page and "have it deleted" in page


def test_claiming_makes_the_creator_visible_everywhere_and_tells_the_organization(
    client, imported, brand_owner, ngo_manager
):
    rudi = imported["rudi"]
    url = reverse("roster:claim", args=[rudi.claim_token])

    response = client.post(
        url, {"email": "rudi@example.com", "password": "a-long-Pa55phrase", "accept": "on", "action": "claim"}
    )

    assert response.status_code == 302 and response["Location"] == reverse("creators:profile_edit")
    rudi.refresh_from_db()
    user = User.objects.get(pk=rudi.user_id)
    assert rudi.roster_status == CreatorProfile.RosterStatus.CLAIMED and rudi.claimed_at is not None
    assert user.email == "rudi@example.com" and user.check_password("a-long-Pa55phrase")
    assert rudi.pk in set(CreatorProfile.objects.publicly_listed().values_list("pk", flat=True))
    assert rudi.pk in set(creator_search(filters={}, viewer=ngo_manager).values_list("pk", flat=True))
    assert Notification.objects.filter(recipient=brand_owner, kind="roster.claimed").count() == 1
    # The link worked once.
    assert client.get(url).status_code == 404


def test_a_roster_import_never_updates_a_claimed_creator(client, imported, brand_org, brand_owner):
    dewi = imported["dewi"]
    client.post(
        reverse("roster:claim", args=[dewi.claim_token]),
        {"email": "dewi@example.com", "password": "a-long-Pa55phrase", "accept": "on"},
    )

    result = _import(
        brand_org, brand_owner, "email,platform,handle,followers\ndewi@example.com,instagram,dewi.makes,1\n"
    )

    assert SocialAccount.objects.get(handle="dewi.makes").followers == 12000
    assert result.errors and result.errors[0].column == "handle"


def test_deleting_through_the_claim_link_removes_the_profile_and_tells_the_organization(
    client, imported, brand_owner, brand_manager
):
    rudi = imported["rudi"]

    response = client.post(reverse("roster:claim", args=[rudi.claim_token]), {"action": "delete"})

    assert response.status_code == 200 and "Your data is deleted" in response.content.decode()
    assert not CreatorProfile.objects.filter(pk=rudi.pk).exists()
    assert not User.objects.filter(pk=rudi.user_id).exists()
    assert not SocialAccount.objects.filter(handle="rudi.rides").exists()
    for manager in (brand_owner, brand_manager):
        note = Notification.objects.get(recipient=manager, kind="roster.deleted")
        assert note.params["account"] == "TikTok @rudi.rides"


def test_a_claimed_creator_sees_the_origin_and_deletes_the_imported_data(client, imported, brand_owner):
    dewi = imported["dewi"]
    client.post(
        reverse("roster:claim", args=[dewi.claim_token]),
        {"email": "dewi@example.com", "password": "a-long-Pa55phrase", "accept": "on"},
    )
    page = client.get(reverse("roster:my_data")).content.decode()
    assert "Kopi Nusantara imported this profile into Kolabo on" in page

    response = client.post(reverse("roster:my_data"))

    assert response.status_code == 302
    dewi.refresh_from_db()
    assert dewi.roster_organization is None and not dewi.roster_status
    assert not SocialAccount.objects.filter(handle="dewi.makes").exists()
    assert Notification.objects.filter(recipient=brand_owner, kind="roster.deleted").exists()
    assert client.get(reverse("roster:my_data")).status_code == 404


def test_a_wrong_claim_token_shows_a_clear_page(client):
    response = client.get(reverse("roster:claim", args=["not-a-token"]))

    assert response.status_code == 404
    assert "This claim link no longer works" in response.content.decode()


# Unknown is not zero, elsewhere


def test_a_brief_minimum_engagement_is_not_met_by_an_unknown_rate(brand_org, brand_owner):
    _import(brand_org, brand_owner, "platform,handle,followers\ninstagram,quiet.one,20000\n")
    profile = _profile("quiet.one")
    campaign = CampaignFactory(
        organization=brand_org, min_engagement_rate=Decimal("2.00"), platforms=["instagram"]
    )

    result = check_eligibility(campaign=campaign, creator=profile)

    assert not result.eligible
    assert any("engagement rate is unknown" in check.text for check in result.checks)


def test_the_data_migration_turns_roster_zeros_into_unknown_and_keeps_other_zeros(creator, brand_owner):
    migration = importlib.import_module("creators.migrations.0008_metrics_unknown")
    roster_user = User.objects.create_user(email="old-roster@example.com")
    old = CreatorProfile.objects.create(
        user=roster_user, slug="old-roster", display_name="Old", country="ID", currency="IDR"
    )
    zeros = {
        "following": 0,
        "posts": 0,
        "avg_likes": 0,
        "avg_comments": 0,
        "avg_views": 0,
        "engagement_rate": Decimal("0"),
    }
    SocialAccount.objects.create(
        profile=old,
        platform="instagram",
        handle="old.roster",
        followers=9000,
        metrics_date=timezone.localdate(),
        **zeros,
    )
    own = creator.creator_profile.social_accounts.get()
    SocialAccount.objects.filter(pk=own.pk).update(avg_views=0)
    AuditEvent.objects.create(
        actor=brand_owner,
        action=migration.ROSTER_CREATED,
        target_type=ContentType.objects.get_for_model(User),
        target_id=str(roster_user.pk),
        data={"organization": 1},
    )

    migration.roster_zeros_to_unknown(apps, None)

    account = SocialAccount.objects.get(handle="old.roster")
    assert [getattr(account, f) for f in (*migration.OPTIONAL_COUNTS, "engagement_rate")] == [None] * 6
    own.refresh_from_db()
    assert own.avg_views == 0 and own.engagement_rate is not None  # a creator's own numbers stay

    migration.unknown_to_zero(apps, None)
    account.refresh_from_db()
    assert account.avg_likes == 0 and account.engagement_rate == 0


def test_a_claim_invitation_lost_to_a_broker_outage_is_sent_by_the_sweep(brand_org, brand_owner):
    from datetime import timedelta

    from creators.sweeps import roster_claim_invitations_requeue

    # Imported in the test's transaction: the on-commit enqueue never runs, as in an outage.
    _import(
        brand_org, brand_owner, "email,platform,handle,followers\nlost@example.com,instagram,lost.mail,5000\n"
    )
    profile = _profile("lost.mail")
    assert profile.claim_invited_at is None and not mail.outbox
    CreatorProfile.objects.filter(pk=profile.pk).update(
        roster_imported_at=timezone.now() - timedelta(hours=1)
    )

    assert roster_claim_invitations_requeue() == 1

    assert [message.to for message in mail.outbox] == [["lost@example.com"]]
    assert roster_claim_invitations_requeue() == 0


def test_another_organization_cannot_shortlist_an_unclaimed_creator(
    client, imported, ngo_manager, brand_owner
):
    from brands.models import Shortlist

    dewi = imported["dewi"]
    theirs = Shortlist.objects.create(organization=ngo_manager.memberships.first().organization, name="Picks")
    client.force_login(ngo_manager)
    response = client.post(reverse("discovery:shortlist_add", args=[theirs.pk]), {"creator": dewi.pk})
    assert response.status_code == 404  # to them the creator does not exist
    assert not theirs.entries.exists()
