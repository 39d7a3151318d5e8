"""The API's ground rules: credentials, scopes, tenants, one error shape, idempotent POSTs, schema."""

import pytest
from django.urls import reverse

from api.models import ApiKey, IdempotencyRecord
from campaigns.models import Campaign
from creators.models import Niche
from tests.api.conftest import bearer, make_key, make_token
from tests.campaigns.factories import CampaignFactory

BRIEF = {"title": "Kopi at sahur", "objective": "awareness", "platforms": ["instagram"], "currency": "IDR"}


def create_url(org):
    return reverse("api:organization_campaigns", args=[org.slug])


def test_an_api_key_reads_its_organization(write_key, brand_org):
    response = write_key.get(reverse("api:organizations"))

    assert response.status_code == 200
    assert [o["slug"] for o in response.json()["results"]] == [brand_org.slug]


def test_a_personal_token_acts_as_its_user(creator):
    response = bearer(make_token(creator)).get(reverse("api:me"))

    assert response.status_code == 200
    assert response.json()["email"] == creator.email


@pytest.mark.parametrize("token", ["kolabo_key_nope_secret", "kolabo_pat_0_x", "something-else", ""])
def test_bad_credentials_get_401_in_the_error_shape(db, token):
    response = bearer(token).get(reverse("api:me"))

    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "authentication_error"
    assert set(body) == {"type", "code", "detail"}


def test_a_revoked_key_stops_working(brand_org, brand_owner):
    from django.utils import timezone

    client = bearer(make_key(brand_org, brand_owner))
    ApiKey.objects.update(revoked_at=timezone.now())

    response = client.get(reverse("api:me"))

    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_read_key_cannot_write(read_key, brand_org):
    response = read_key.post(create_url(brand_org), BRIEF, format="json")

    assert response.status_code == 403
    assert response.json()["type"] == "permission_error"
    assert not Campaign.objects.exists()


def test_another_organizations_objects_are_404(write_key, ngo_org, brand_org):
    other = CampaignFactory(organization=ngo_org, funded=False)

    assert write_key.get(reverse("api:campaign", args=[other.pk])).status_code == 404
    assert write_key.post(reverse("api:campaign_publish", args=[other.pk])).status_code == 404
    assert write_key.get(reverse("api:organization", args=[ngo_org.slug])).status_code == 404
    assert write_key.post(create_url(ngo_org), BRIEF, format="json").status_code == 404


def test_create_then_publish_lists_every_problem_with_fields(write_key, brand_org):
    created = write_key.post(create_url(brand_org), BRIEF, format="json")
    assert created.status_code == 201
    campaign_id = created.json()["id"]

    response = write_key.post(reverse("api:campaign_publish", args=[campaign_id]))

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert len(body["fields"]) >= 2  # the description, deliverables, fee… each named


def test_an_illegal_transition_is_409(write_key, brand_org):
    campaign = CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT, funded=False)

    response = write_key.post(reverse("api:campaign_close", args=[campaign.pk]))

    assert response.status_code == 409
    assert response.json()["type"] == "conflict"


@pytest.mark.parametrize(
    "extra",
    [{"status": "published"}, {"organization": "someone-else"}, {"created_by": 1}, {"is_staff": True}],
)
def test_write_bodies_refuse_fields_nobody_may_set(write_key, brand_org, extra):
    response = write_key.post(create_url(brand_org), BRIEF | extra, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == list(extra)
    assert not Campaign.objects.exists()


def test_an_idempotency_key_replays_the_first_response(write_key, brand_org):
    first = write_key.post(create_url(brand_org), BRIEF, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = write_key.post(create_url(brand_org), BRIEF, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    other_body = write_key.post(
        create_url(brand_org), BRIEF | {"title": "Different"}, format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert other_body.status_code == 422
    assert other_body.json()["type"] == "idempotency_error"
    assert Campaign.objects.count() == 1


def test_idempotency_keys_belong_to_the_caller(brand_org, brand_owner, brand_manager):
    first = bearer(make_key(brand_org, brand_owner, name="one"))
    second = bearer(make_key(brand_org, brand_manager, name="two"))

    first.post(create_url(brand_org), BRIEF, format="json", HTTP_IDEMPOTENCY_KEY="same")
    second.post(create_url(brand_org), BRIEF, format="json", HTTP_IDEMPOTENCY_KEY="same")

    assert Campaign.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 2


def test_pages_are_capped_at_100(write_key, brand_org):
    Campaign.objects.bulk_create(
        Campaign(organization=brand_org, title=f"Brief {n}", currency="IDR") for n in range(105)
    )

    response = write_key.get(reverse("api:campaigns"), {"page_size": 500})

    assert response.status_code == 200
    assert response.json()["count"] == 105
    assert len(response.json()["results"]) == 100


@pytest.mark.parametrize("size", [1, 100])
def test_the_campaign_list_runs_a_constant_number_of_queries(
    write_key, brand_org, size, django_assert_max_num_queries
):
    niche = Niche.objects.first()
    for campaign in Campaign.objects.bulk_create(
        Campaign(organization=brand_org, title=f"Brief {n}", currency="IDR") for n in range(size)
    ):
        campaign.niches.add(niche)

    # credentials, the key creator's current membership, last-used stamp, count, page, and
    # niches/causes/deliverables (one query each on SQLite; inside the page query on PostgreSQL)
    with django_assert_max_num_queries(8):
        response = write_key.get(reverse("api:campaigns"), {"page_size": 100})

    assert len(response.json()["results"]) == size


@pytest.mark.parametrize("size", [1, 100])
def test_the_member_list_runs_a_constant_number_of_queries(
    write_key, brand_org, size, django_assert_max_num_queries
):
    from brands.models import Membership
    from tests.marketplace.factories import UserFactory

    Membership.objects.bulk_create(
        Membership(organization=brand_org, user=UserFactory(), role=Membership.Role.VIEWER)
        for _ in range(size)
    )

    # credentials, the key creator's current membership, last-used stamp, organization, count, page
    with django_assert_max_num_queries(6):
        response = write_key.get(
            reverse("api:organization_members", args=[brand_org.slug]), {"page_size": 100}
        )

    assert len(response.json()["results"]) == min(100, size + 1)  # plus the owner


@pytest.mark.parametrize("size", [1, 100])
def test_the_organization_list_runs_a_constant_number_of_queries(
    brand_owner, size, django_assert_max_num_queries
):
    from brands.models import Membership
    from tests.brands.factories import OrganizationFactory

    for _ in range(size):
        Membership.objects.create(
            organization=OrganizationFactory(), user=brand_owner, role=Membership.Role.VIEWER
        )
    client = bearer(make_token(brand_owner))

    with django_assert_max_num_queries(5):
        response = client.get(reverse("api:organizations"), {"page_size": 100})

    assert len(response.json()["results"]) == size


@pytest.mark.parametrize("size", [1, 100])
def test_creator_discovery_runs_a_constant_number_of_queries(write_key, size, django_assert_max_num_queries):
    from tests.campaigns.factories import make_creator

    for _ in range(size):
        make_creator()

    with django_assert_max_num_queries(10):
        response = write_key.get(reverse("api:creators"), {"page_size": 100})

    assert len(response.json()["results"]) == size


def test_the_schema_and_the_docs_are_served_from_local_assets(client, db):
    schema = client.get(reverse("api:schema"))
    docs = client.get(reverse("api:docs"))
    redoc = client.get(reverse("api:redoc"))

    assert schema.status_code == 200
    assert b"/api/v1/campaigns/" in schema.content
    assert docs.status_code == redoc.status_code == 200
    for page in (docs, redoc):
        html = page.content.decode()
        assert "cdn" not in html.lower()
        assert "/static/drf_spectacular_sidecar/" in html


def test_the_fast_campaign_list_renders_exactly_what_the_serializer_renders(brand_org):
    import json

    from rest_framework.renderers import JSONRenderer

    from api.fast import campaign_rows, campaign_values
    from api.serializers.campaigns import CampaignOut
    from creators.models import Cause, Niche

    full = CampaignFactory(organization=brand_org, min_engagement_rate="2.50", fee_min="950000.50", slots=3)
    full.niches.set(Niche.objects.all()[:3])
    full.causes.set(Cause.objects.all()[:2])
    CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT, funded=False, deliverables=[])
    queryset = Campaign.objects.order_by("-created_at", "-pk")

    fast = JSONRenderer().render(campaign_rows(list(campaign_values(queryset))))
    slow = JSONRenderer().render(
        CampaignOut(queryset.prefetch_related("niches", "causes", "deliverables"), many=True).data
    )

    assert fast == slow
    assert json.loads(fast)[1]["niches"]  # the relations are there, not just equal and empty
