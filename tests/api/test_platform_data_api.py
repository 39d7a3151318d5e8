"""Verified platform data over the API: where a creator's numbers come from (and when), the
creator's own connected accounts, and a published deliverable's verified post and its snapshots.

Rows are created directly (no emulator): what the refresh and post capture would have written.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import CollaborationDeliverable
from campaigns.ranking import match_features_refresh
from campaigns.recommendations import recommendations_refresh
from creators.models import DeliverableFormat, MetricsSource, Platform, SocialAccount
from platforms.models import MetricsSnapshot, PlatformConnection, PlatformPost, PostSnapshot
from tests.api.conftest import bearer, make_key, make_token
from tests.campaigns.factories import CampaignFactory, make_creator, start_collaboration
from tests.campaigns.test_recommendations import creator as recommendable_creator

VERIFIED_AT = datetime.datetime(2025, 6, 28, 9, 0, tzinfo=datetime.UTC)
TYPED = {
    "followers": 25_000,
    "following": 400,
    "posts": 320,
    "avg_likes": 1_100,
    "avg_comments": 150,
    "avg_views": 0,
    "audience_countries": [{"code": "ID", "pct": 82.0}],
    "audience_languages": [],
    "engagement_rate": "5.00",
    "tier": "micro",
    "metrics_date": "2025-06-01",
}
ACCESS_TOKEN = "IGAAkolabo-access-token-never-shown"
REFRESH_TOKEN = "kolabo-refresh-token-never-shown"


def url(name, *args):
    return reverse(f"api:{name}", args=args)


def verify(account: SocialAccount, *, typed=TYPED, followers=31_000, engagement_rate="3.40") -> SocialAccount:
    """Leave `account` as a refresh does: verified numbers with their date, the typed ones kept."""
    account.followers = followers
    account.engagement_rate = Decimal(engagement_rate)
    account.metrics_source = MetricsSource.VERIFIED
    account.metrics_verified_at = VERIFIED_AT
    account.self_reported = dict(typed)
    account.save()
    return account


def connect(
    account: SocialAccount, *, status=PlatformConnection.Status.CONNECTED, **fields
) -> PlatformConnection:
    connection = PlatformConnection(
        profile=account.profile,
        account=account if status == PlatformConnection.Status.CONNECTED else None,
        platform=account.platform,
        external_id=fields.pop("external_id", f"ext-{account.pk}"),
        username=account.handle,
        status=status,
        **fields,
    )
    connection.access_token = ACCESS_TOKEN
    connection.refresh_token = REFRESH_TOKEN
    connection.save()
    return connection


def snapshot(connection, *, days_ago=0, **fields) -> MetricsSnapshot:
    values = {"followers": 31_000, "posts_counted": 12, "engagement_rate": Decimal("3.40")} | fields
    return MetricsSnapshot.objects.create(
        connection=connection, taken_at=VERIFIED_AT - datetime.timedelta(days=days_ago), **values
    )


def when(value: str) -> datetime.datetime:
    """An API date-time (rendered in the site's time zone) as an aware datetime."""
    return datetime.datetime.fromisoformat(value)


def keys_of(value) -> set[str]:
    """Every key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


def queries(callback) -> int:
    callback()  # the first request of a credential also stamps when it was last used
    with CaptureQueriesContext(db_connection) as captured:
        response = callback()
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.fixture
def creator_client(creator):
    return bearer(make_token(creator))


@pytest.fixture
def verified(creator):
    """The `creator` fixture's Instagram account, connected and verified."""
    account = verify(creator.creator_profile.social_accounts.get())
    snapshot(connect(account))
    return account


# Where a creator's numbers come from, wherever the API shows them


def test_discovery_shows_the_source_and_date_of_each_accounts_numbers(write_key, verified):
    typed_only = make_creator(handle="typed.only")

    response = write_key.get(url("creators"))

    assert response.status_code == 200
    accounts = {
        account["handle"]: account for row in response.json()["results"] for account in row["social_accounts"]
    }
    mine = accounts["ayu.cooks"]
    assert (mine["metrics_source"], mine["followers"], mine["engagement_rate"]) == (
        "verified",
        31_000,
        "3.40",
    )
    assert when(mine["metrics_verified_at"]) == VERIFIED_AT
    assert mine["self_reported"] == {
        "followers": 25_000,
        "engagement_rate": "5.00",
        "tier": "micro",
        "metrics_date": "2025-06-01",
    }
    other = accounts[typed_only.social_accounts.get().handle]
    assert (other["metrics_source"], other["metrics_verified_at"], other["self_reported"]) == (
        "self_reported",
        None,
        None,
    )
    # Brands see the source and date, never the connection itself.
    assert set(mine) == {
        "platform",
        "handle",
        "followers",
        "engagement_rate",
        "tier",
        "verified",
        "metrics_date",
        "metrics_source",
        "metrics_verified_at",
        "self_reported",
    }
    assert not {"token", "access_token", "refresh_token", "username", "disconnect_reason"} & keys_of(
        response.json()
    )
    assert ACCESS_TOKEN not in response.content.decode()


def test_a_verified_account_connected_before_anything_was_typed_has_no_self_reported(write_key, creator):
    verify(creator.creator_profile.social_accounts.get(), typed={})

    row = write_key.get(url("creators")).json()["results"][0]

    assert row["social_accounts"][0]["metrics_source"] == "verified"
    assert row["social_accounts"][0]["self_reported"] is None


def test_the_metrics_verified_filter_keeps_verified_accounts_only(write_key, verified):
    make_creator(handle="typed.only")

    everyone = write_key.get(url("creators")).json()["results"]
    only_verified = write_key.get(url("creators"), {"metrics_verified": "true"}).json()["results"]

    assert len(everyone) == 2
    assert [row["slug"] for row in only_verified] == ["ayu-lestari"]


def test_the_schema_documents_the_filter_and_the_new_fields(client, db):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()

    parameters = {p["name"] for p in schema["paths"]["/api/v1/creators/"]["get"]["parameters"]}
    assert {"metrics_verified", "verified"} <= parameters
    components = schema["components"]["schemas"]
    for component in ("SocialAccount", "MatchingRecommendation"):
        properties = components[component]["properties"]
        for field in ("metrics_source", "metrics_verified_at", "self_reported"):
            assert properties[field].get("description"), (component, field)
    deliverable = components["CollaborationDeliverable"]["properties"]
    for field in ("verified_post", "caption_problems", "post_snapshots"):
        assert deliverable[field].get("description"), field
    connection = components["PlatformConnection"]["properties"]
    assert not [name for name in connection if "token" in name]
    assert "/api/v1/me/connections/" in schema["paths"]


def test_recommendations_show_the_source_and_date(brand_org, read_key, settings):
    settings.RECOMMENDATIONS_PER_BRIEF = 3
    profiles = [
        recommendable_creator(f"micro-{n}", followers=20_000 + 1_000 * n, likes=600 + 60 * n)
        for n in range(3)
    ]
    account = verify(profiles[0].social_accounts.get(), followers=20_500, engagement_rate="3.20")
    snapshot(connect(account), followers=20_500, engagement_rate=Decimal("3.20"))
    match_features_refresh()
    campaign = CampaignFactory(organization=brand_org, nano_share=0)
    recommendations_refresh(campaign_id=campaign.pk)

    response = read_key.get(reverse("api:campaign_recommendations", args=[campaign.pk]))

    assert response.status_code == 200
    rows = {row["creator"]: row for row in response.json()["results"]}
    assert len(rows) == 3
    mine = rows["micro-0"]
    assert (mine["metrics_source"], when(mine["metrics_verified_at"])) == ("verified", VERIFIED_AT)
    assert mine["self_reported"]["followers"] == 25_000
    others = [row for slug, row in rows.items() if slug != "micro-0"]
    assert {(r["metrics_source"], r["metrics_verified_at"], r["self_reported"]) for r in others} == {
        ("self_reported", None, None)
    }


# The creator's own connected accounts


def test_a_creator_lists_their_own_connections_with_the_latest_verified_numbers(
    creator, creator_client, verified
):
    instagram = verified.connection
    instagram.last_refreshed_at = VERIFIED_AT
    instagram.save()
    newest = snapshot(
        instagram,
        days_ago=-1,
        followers=31_200,
        engagement_rate=None,
        posts_counted=2,
        audience_countries=[{"code": "ID", "share": 81.5}, {"code": "MY", "share": 7.0}],
        audience_genders=[{"code": "F", "share": 64.2}],
    )
    tiktok = connect(
        SocialAccount.objects.create(
            profile=verified.profile,
            platform=Platform.TIKTOK,
            handle="ayu.tiktok",
            followers=9_000,
            metrics_date=timezone.localdate(),
        ),
        status=PlatformConnection.Status.DISCONNECTED,
        disconnect_reason=PlatformConnection.Reason.EXPIRED,
        disconnected_at=VERIFIED_AT,
    )
    someone_else = make_creator(handle="not.mine")
    connect(someone_else.social_accounts.get())

    response = creator_client.get(url("me_connections"))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["platform"], r["username"], r["status"]) for r in rows] == [
        ("instagram", "ayu.cooks", "connected"),
        ("tiktok", "ayu.tiktok", "disconnected"),
    ]
    connected, disconnected = rows
    assert connected["id"] == instagram.pk and disconnected["id"] == tiktok.pk
    assert when(connected["last_refreshed_at"]) == VERIFIED_AT
    assert connected["next_refresh_at"] is not None and connected["disconnect_reason"] == ""
    assert when(connected["latest_metrics"].pop("taken_at")) == newest.taken_at
    assert connected["latest_metrics"] == {
        "followers": 31_200,
        "following": None,
        "media_count": None,
        "posts_counted": 2,
        "engagement_rate": None,  # not enough recent posts, never 0
        "audience_countries": [{"code": "ID", "share": 81.5}, {"code": "MY", "share": 7.0}],
        "audience_cities": [],
        "audience_ages": [],
        "audience_genders": [{"code": "F", "share": 64.2}],
    }
    assert (disconnected["disconnect_reason"], disconnected["next_refresh_at"]) == ("expired", None)
    assert disconnected["latest_metrics"] is None
    # Never a token, under any name, nor its value (encrypted or not).
    body = response.content.decode()
    assert not [key for key in keys_of(response.json()) if "token" in key or "scope" in key]
    for secret in (ACCESS_TOKEN, REFRESH_TOKEN, instagram.access_token_encrypted):
        assert secret not in body


def test_another_creators_connections_are_never_listed(creator, verified):
    stranger = bearer(make_token(make_creator(handle="stranger").user))

    assert stranger.get(url("me_connections")).json()["results"] == []


def test_connections_filter_by_status_and_refuse_an_unknown_one(creator_client, verified):
    connect(
        SocialAccount.objects.create(
            profile=verified.profile,
            platform=Platform.TIKTOK,
            handle="ayu.tt",
            followers=1,
            metrics_date=timezone.localdate(),
        ),
        status=PlatformConnection.Status.DISCONNECTED,
        disconnect_reason=PlatformConnection.Reason.BY_CREATOR,
    )

    connected = creator_client.get(url("me_connections"), {"status": "connected"}).json()["results"]
    wrong = creator_client.get(url("me_connections"), {"status": "lost"})

    assert [r["platform"] for r in connected] == ["instagram"]
    assert wrong.status_code == 400
    assert "status" in wrong.json()["fields"]


def test_organization_keys_never_read_connections(write_key, brand_owner, verified):
    response = write_key.get(url("me_connections"))

    assert response.status_code == 403
    assert response.json()["type"] == "permission_error"
    # The key's creator in person: no creator profile, so nothing to list.
    assert bearer(make_token(brand_owner)).get(url("me_connections")).json()["results"] == []


def test_the_connection_list_runs_a_constant_number_of_queries(creator, creator_client, verified):
    one = queries(lambda: creator_client.get(url("me_connections"), {"page_size": 100}))
    for n in range(20):
        old = connect(
            verified,
            status=PlatformConnection.Status.DISCONNECTED,
            disconnect_reason=PlatformConnection.Reason.BY_CREATOR,
            external_id=f"old-{n}",
        )
        snapshot(old, days_ago=n + 2)
        snapshot(old, days_ago=n + 3)

    many = queries(lambda: creator_client.get(url("me_connections"), {"page_size": 100}))

    assert many == one
    assert len(creator_client.get(url("me_connections"), {"page_size": 100}).json()["results"]) == 21


# A published deliverable's verified post and its snapshots


@pytest.fixture
def collaboration(brand_org, brand_owner, creator):
    campaign = CampaignFactory(
        organization=brand_org, deliverables=[(Platform.INSTAGRAM, DeliverableFormat.REEL, 5)]
    )
    return start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)


POSTED_AT = datetime.datetime(2025, 7, 1, 12, 0, tzinfo=datetime.UTC)


def publish_verified(deliverable, connection, *, moments=1) -> PlatformPost:
    """What post capture leaves: the verified post, its caption problems, `moments` snapshots."""
    post = PlatformPost.objects.create(
        connection=connection,
        external_id=f"post-{deliverable.pk}",
        permalink=f"https://www.instagram.com/reel/post{deliverable.pk}/",
        media_type="REELS",
        caption="Kopi at sahur #KopiNusantara",
        posted_at=POSTED_AT,
        likes=900,
    )
    CollaborationDeliverable.objects.filter(pk=deliverable.pk).update(
        status=CollaborationDeliverable.Status.PUBLISHED,
        post_url=post.permalink,
        published_at=POSTED_AT,
        verified_post=post,
        caption_problems=[{"kind": "disclosure", "tag": "#iklan #ad #sponsored"}],
    )
    for n, (moment, hours) in enumerate(
        [("published", 0), ("day_1", 24), ("day_7", 24 * 7), ("day_30", 24 * 30)][:moments]
    ):
        taken = n < 2  # the first two were read, the later ones are still due
        PostSnapshot.objects.create(
            deliverable=deliverable,
            post=post,
            moment=moment,
            due_at=POSTED_AT + datetime.timedelta(hours=hours),
            taken_at=POSTED_AT + datetime.timedelta(hours=hours, minutes=5) if taken else None,
            reach=4_000 + n if taken else None,
            views=6_000 + n if taken else None,
            likes=900 + n if taken else None,
            comments=40 if taken else None,
            shares=12 if taken else None,
            saves=None,
        )
    return post


def test_both_sides_read_the_verified_post_and_its_snapshots(
    creator, creator_client, write_key, read_key, collaboration, verified
):
    first, second, *_rest = collaboration.deliverables.order_by("pk")
    publish_verified(first, verified.connection, moments=4)

    for client in (creator_client, write_key, read_key):
        response = client.get(url("collaboration", collaboration.pk))
        assert response.status_code == 200
        deliverables = response.json()["deliverables"]
        mine = deliverables[0]
        assert when(mine["verified_post"].pop("posted_at")) == POSTED_AT
        assert mine["verified_post"] == {
            "permalink": f"https://www.instagram.com/reel/post{first.pk}/",
            "media_type": "REELS",
        }
        assert mine["caption_problems"] == [{"kind": "disclosure", "tag": "#iklan #ad #sponsored"}]
        assert [s["moment"] for s in mine["post_snapshots"]] == ["published", "day_1", "day_7", "day_30"]
        published = dict(mine["post_snapshots"][0])
        assert when(published.pop("due_at")) == POSTED_AT
        assert when(published.pop("taken_at")) == POSTED_AT + datetime.timedelta(minutes=5)
        assert published == {
            "moment": "published",
            "reach": 4_000,
            "views": 6_000,
            "likes": 900,
            "comments": 40,
            "shares": 12,
            "saves": None,
        }
        assert mine["post_snapshots"][3]["taken_at"] is None
        # A deliverable on the manual path (or not published yet) has none of it.
        assert deliverables[1]["id"] == second.pk
        assert (deliverables[1]["verified_post"], deliverables[1]["caption_problems"]) == (None, [])
        assert deliverables[1]["post_snapshots"] == []
        listed = client.get(url("collaborations")).json()["results"]
        assert listed[0]["deliverables"][0]["post_snapshots"] == mine["post_snapshots"]
        assert ACCESS_TOKEN not in response.content.decode()


def test_another_tenant_gets_404(ngo_org, ngo_manager, collaboration, verified):
    publish_verified(collaboration.deliverables.order_by("pk").first(), verified.connection)
    outsiders = [
        bearer(make_token(ngo_manager)),
        bearer(make_key(ngo_org, ngo_manager)),
        bearer(make_token(make_creator(handle="other.creator").user)),
    ]

    for outsider in outsiders:
        assert outsider.get(url("collaboration", collaboration.pk)).status_code == 404
        assert collaboration.pk not in {
            c["id"] for c in outsider.get(url("collaborations")).json()["results"]
        }


def test_deliverable_snapshots_keep_the_query_count_flat(creator_client, write_key, collaboration, verified):
    deliverables = list(collaboration.deliverables.order_by("pk"))
    publish_verified(deliverables[0], verified.connection, moments=1)
    detail = url("collaboration", collaboration.pk)
    counts_one = [
        queries(lambda c=c, u=u: c.get(u))
        for c in (creator_client, write_key)
        for u in (detail, url("collaborations"))
    ]

    PlatformPost.objects.all().delete()  # and their snapshots
    for deliverable in deliverables:  # 5 deliverables × 4 moments = 20 snapshots
        publish_verified(deliverable, verified.connection, moments=4)
    assert PostSnapshot.objects.count() == 20
    counts_twenty = [
        queries(lambda c=c, u=u: c.get(u))
        for c in (creator_client, write_key)
        for u in (detail, url("collaborations"))
    ]

    assert counts_twenty == counts_one
