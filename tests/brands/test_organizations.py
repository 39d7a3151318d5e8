import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from brands import services
from brands.models import Membership, Organization
from creators.models import Cause
from marketplace.errors import PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent
from tests.marketplace.factories import UserFactory

from .factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _org_form_data(**overrides):
    data = {
        "name": "Kopi Kenangan Rasa",
        "country": "ID",
        "website": "https://kopi.example",
        "default_currency": "IDR",
        "description": "Coffee from Aceh to Papua.",
    }
    data.update(overrides)
    return data


def _image(fmt: str, size=(32, 32), noise=False) -> bytes:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# Creating


def test_user_creates_brand_via_web_and_becomes_owner(client, user):
    client.force_login(user)

    response = client.post(reverse("brands:org_create") + "?kind=brand", _org_form_data())

    org = Organization.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("brands:org_detail", args=[org.slug])
    assert org.kind == Organization.Kind.BRAND
    assert org.slug == "kopi-kenangan-rasa"
    assert org.created_by == user
    assert org.verification_status == Organization.VerificationStatus.UNVERIFIED
    assert Membership.objects.get(organization=org).user == user
    assert Membership.objects.get(organization=org).role == Membership.Role.OWNER
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"organization.created", "membership.created"} <= actions


def test_user_creates_ngo_via_web_with_causes(client, user):
    causes = list(Cause.objects.all()[:2])
    client.force_login(user)

    response = client.post(
        reverse("brands:org_create") + "?kind=ngo",
        _org_form_data(name="Yayasan Laut Biru", causes=[c.pk for c in causes]),
    )

    org = Organization.objects.get()
    assert response.status_code == 302
    assert org.kind == Organization.Kind.NGO
    assert set(org.causes.all()) == set(causes)
    assert org.memberships.get().role == Membership.Role.OWNER
    assert AuditEvent.objects.filter(action="organization.created", target_id=str(org.pk)).exists()


def test_create_form_preselects_kind_and_offers_causes_only_to_ngos(client, user):
    client.force_login(user)

    brand_page = client.get(reverse("brands:org_create") + "?kind=brand")
    ngo_page = client.get(reverse("brands:org_create") + "?kind=ngo")

    assert brand_page.status_code == 200
    assert "causes" not in brand_page.context["form"].fields
    assert "Create a brand" in brand_page.content.decode()
    assert "causes" in ngo_page.context["form"].fields
    assert "Create an NGO" in ngo_page.content.decode()


def test_create_page_without_kind_asks_which_kind(client, user):
    client.force_login(user)

    response = client.get(reverse("brands:org_create"))

    assert response.status_code == 200
    assert "?kind=brand" in response.content.decode()
    assert "?kind=ngo" in response.content.decode()


def test_brand_cannot_be_given_causes_by_the_service(user):
    cause = Cause.objects.first()

    with pytest.raises(ValidationFailed) as excinfo:
        services.organization_create(user=user, kind="brand", name="Sepatu", country="ID", causes=[cause])

    assert excinfo.value.field == "causes"
    assert not Organization.objects.exists()


def test_missing_name_is_shown_on_the_name_field(client, user):
    client.force_login(user)

    response = client.post(reverse("brands:org_create") + "?kind=brand", _org_form_data(name=""))

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not Organization.objects.exists()


def test_slugs_are_unique_for_organizations_with_the_same_name(user):
    first = services.organization_create(user=user, kind="brand", name="Batik Jaya", country="ID")
    second = services.organization_create(user=user, kind="ngo", name="Batik Jaya", country="ID")
    third = services.organization_create(user=user, kind="brand", name="Batik  Jaya!", country="ID")

    assert [first.slug, second.slug, third.slug] == ["batik-jaya", "batik-jaya-2", "batik-jaya-3"]


def test_slug_never_collides_with_fixed_paths_or_is_empty(user):
    new = services.organization_create(user=user, kind="brand", name="New", country="ID")
    symbols = services.organization_create(user=user, kind="brand", name="★★★", country="ID")

    assert new.slug == "new-org"
    assert symbols.slug == "org"
    assert new.get_absolute_url() == "/orgs/new-org/"


# Editing


def test_manager_edits_organization_details(client, brand_org, brand_manager):
    client.force_login(brand_manager)

    response = client.post(
        reverse("brands:org_edit", args=[brand_org.slug]),
        _org_form_data(name="Kopi Nusantara Baru", default_currency="USD"),
    )

    assert response.status_code == 302
    brand_org.refresh_from_db()
    assert brand_org.name == "Kopi Nusantara Baru"
    assert brand_org.default_currency == "USD"
    assert brand_org.slug == "kopi-nusantara"  # links already shared keep working
    event = AuditEvent.objects.get(action="organization.updated")
    assert event.actor == brand_manager
    assert event.data["changes"]["name"] == ["Kopi Nusantara", "Kopi Nusantara Baru"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_viewer_editing_organization_gets_403_and_nothing_changes(client, brand_org, brand_viewer, method):
    client.force_login(brand_viewer)
    url = reverse("brands:org_edit", args=[brand_org.slug])

    response = getattr(client, method)(url, _org_form_data(name="Hijacked"))

    assert response.status_code == 403
    assert "Only owners and managers can edit this organization." in response.content.decode()
    brand_org.refresh_from_db()
    assert brand_org.name == "Kopi Nusantara"
    assert not AuditEvent.objects.filter(action="organization.updated").exists()


def test_viewer_is_refused_by_the_update_service_too(brand_org, brand_viewer):
    with pytest.raises(PermissionDeniedError):
        services.organization_update(organization=brand_org, by_user=brand_viewer, name="Hijacked")

    brand_org.refresh_from_db()
    assert brand_org.name == "Kopi Nusantara"


def test_ngo_manager_updates_causes(client, ngo_org, ngo_manager):
    cause = Cause.objects.last()
    client.force_login(ngo_manager)

    response = client.post(
        reverse("brands:org_edit", args=[ngo_org.slug]), _org_form_data(name=ngo_org.name, causes=[cause.pk])
    )

    assert response.status_code == 302
    assert list(ngo_org.causes.all()) == [cause]


# Logo


def test_logo_upload_is_stored(client, brand_org, brand_owner, media_root):
    client.force_login(brand_owner)
    logo = SimpleUploadedFile("logo.png", _image("PNG"), content_type="image/png")

    response = client.post(reverse("brands:org_edit", args=[brand_org.slug]), _org_form_data(logo=logo))

    assert response.status_code == 302
    brand_org.refresh_from_db()
    assert brand_org.logo.name.startswith("org-logos/")


def test_logo_larger_than_2_mb_is_refused_with_a_message(client, brand_org, brand_owner, media_root):
    client.force_login(brand_owner)
    big = _image("PNG", size=(1000, 1000), noise=True)
    assert len(big) > 2 * 1024 * 1024
    logo = SimpleUploadedFile("big.png", big, content_type="image/png")

    response = client.post(reverse("brands:org_edit", args=[brand_org.slug]), _org_form_data(logo=logo))

    assert response.status_code == 200
    assert "the limit is 2 MB" in str(response.context["form"].errors["logo"])
    brand_org.refresh_from_db()
    assert not brand_org.logo


def test_logo_in_another_image_format_is_refused_with_a_message(client, user, media_root):
    client.force_login(user)
    logo = SimpleUploadedFile("logo.gif", _image("GIF"), content_type="image/gif")

    response = client.post(reverse("brands:org_create") + "?kind=brand", _org_form_data(logo=logo))

    assert response.status_code == 200
    assert "Upload the logo as a PNG, JPEG or WebP image." in str(response.context["form"].errors["logo"])
    assert not Organization.objects.exists()


# Access


@pytest.mark.parametrize("url_name", ["org_detail", "org_edit", "members", "verification_request"])
def test_outsider_gets_404_on_another_organizations_pages(client, brand_org, outsider, url_name):
    client.force_login(outsider)

    response = client.get(reverse(f"brands:{url_name}", args=[brand_org.slug]))

    assert response.status_code == 404


def test_outsider_gets_404_on_another_organizations_actions(client, brand_org, brand_owner, outsider):
    membership = Membership.objects.get(user=brand_owner)
    client.force_login(outsider)

    responses = [
        client.post(reverse("brands:member_remove", args=[brand_org.slug, membership.pk])),
        client.post(reverse("brands:member_role", args=[brand_org.slug, membership.pk]), {"role": "viewer"}),
        client.post(
            reverse("brands:members", args=[brand_org.slug]), {"email": "x@example.com", "role": "owner"}
        ),
        client.post(reverse("brands:verification_request", args=[brand_org.slug]), {"evidence": "trust me"}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert Membership.objects.get(pk=membership.pk).role == Membership.Role.OWNER


def test_member_of_one_org_cannot_reach_another_org_by_mixing_ids(client, brand_org, ngo_org, ngo_manager):
    brand_membership = brand_org.memberships.get()
    client.force_login(ngo_manager)

    response = client.post(reverse("brands:member_remove", args=[ngo_org.slug, brand_membership.pk]))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=brand_membership.pk).exists()


def test_anonymous_user_is_sent_to_log_in(client, brand_org):
    response = client.get(reverse("brands:org_detail", args=[brand_org.slug]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# Pages


def test_org_detail_shows_details_members_invitations_and_next_steps(
    client, brand_org, brand_owner, brand_viewer
):
    client.force_login(brand_owner)

    response = client.get(reverse("brands:org_detail", args=[brand_org.slug]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Kopi Nusantara" in body
    assert brand_viewer.email in body
    assert "Not verified" in body
    assert reverse("brands:verification_request", args=[brand_org.slug]) in body
    assert "Next steps" in body


def test_org_list_shows_my_organizations(client, brand_org, brand_manager):
    client.force_login(brand_manager)

    response = client.get(reverse("brands:org_list"))

    assert response.status_code == 200
    assert "Kopi Nusantara" in response.content.decode()


def test_org_detail_query_count_does_not_grow_with_members(client, brand_org, brand_owner):
    client.force_login(brand_owner)
    url = reverse("brands:org_detail", args=[brand_org.slug])
    client.get(url)  # warm up session and content-type caches

    with CaptureQueriesContext(connection) as one_member:
        assert client.get(url).status_code == 200
    for _ in range(9):
        MembershipFactory(organization=brand_org, user=UserFactory(), role=Membership.Role.VIEWER)
    with CaptureQueriesContext(connection) as ten_members:
        assert client.get(url).status_code == 200

    assert len(ten_members) == len(one_member)


def test_members_page_query_count_does_not_grow_with_members(client, brand_org, brand_owner):
    client.force_login(brand_owner)
    url = reverse("brands:members", args=[brand_org.slug])
    client.get(url)

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(9):
        MembershipFactory(organization=brand_org, user=UserFactory(), role=Membership.Role.VIEWER)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


def test_dashboard_shows_the_organizations_panel(client, brand_org, brand_manager):
    client.force_login(brand_manager)

    response = client.get(reverse("dashboard"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Kopi Nusantara" in body
    assert reverse("brands:members", args=[brand_org.slug]) in body
    assert "Create another organization" in body


def test_dashboard_sends_a_new_brand_user_to_create_a_brand(client):
    user = UserFactory(signup_role="brand")
    client.force_login(user)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url == reverse("brands:org_create") + "?kind=brand"


def test_organization_factory_builds_an_ngo(db):
    assert OrganizationFactory(kind="ngo").is_ngo


def test_dashboard_shows_invitations_waiting_for_me(client, brand_org, brand_owner):
    invited = UserFactory(email="baru@example.com")
    invitation = services.invitation_create(
        organization=brand_org, by_user=brand_owner, email=invited.email, role="viewer"
    )
    client.force_login(invited)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert reverse("brands:invitation_accept", args=[invitation.token]) in response.content.decode()


def test_staff_dashboard_links_to_the_verification_queue(client, staff_user):
    client.force_login(staff_user)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert reverse("brands:verification_queue") in response.content.decode()
