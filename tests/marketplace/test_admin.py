from decimal import Decimal

import pytest
from django.urls import reverse

from brands.models import Membership
from campaigns.models import Collaboration
from marketplace.models import AuditEvent
from marketplace.services import audit_record
from tests.campaigns.factories import (
    ApplicationFactory,
    CampaignFactory,
    InvitationFactory,
    make_creator,
    start_collaboration,
)
from tests.marketplace.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_search_users_by_email(admin_client):
    UserFactory(email="sari@example.com", full_name="Sari Wijaya")
    UserFactory(email="budi@example.com")

    response = admin_client.get(reverse("admin:marketplace_user_changelist"), {"q": "sari"})

    assert response.status_code == 200
    assert [u.email for u in response.context["cl"].result_list] == ["sari@example.com"]


def test_audit_trail_is_read_only_in_the_admin(admin_client, admin_user):
    user = UserFactory()
    event = audit_record(actor=admin_user, action="user.checked", target=user, reason="support ticket")

    listing = admin_client.get(reverse("admin:marketplace_auditevent_changelist"))
    change = admin_client.post(
        reverse("admin:marketplace_auditevent_change", args=[event.pk]), {"reason": "rewritten"}
    )
    delete = admin_client.post(
        reverse("admin:marketplace_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )

    assert listing.status_code == 200
    assert "user.checked" in listing.content.decode()
    assert change.status_code == 403
    assert delete.status_code == 403
    event.refresh_from_db()
    assert event.reason == "support ticket"
    assert AuditEvent.objects.count() == 1


# The admin cannot move money around the services


def change_form_data(response) -> dict:
    """What the browser would post back from an admin change form, unchanged."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[form.add_prefix(name)] = (
                [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
            )

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


@pytest.fixture
def collaboration(campaign, brand_owner):
    return start_collaboration(campaign, make_creator(), by_user=brand_owner, fee=Decimal("1000000"))


def test_a_superuser_cannot_change_who_is_paid_or_how_much(admin_client, collaboration, campaign, ngo_org):
    """The reported hole: a collaboration's creator changed in the admin, and the payout followed."""
    other_creator = make_creator()
    url = reverse("admin:campaigns_collaboration_change", args=[collaboration.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="creator"' not in page.content.decode()

    data = change_form_data(page) | {
        "creator": str(other_creator.pk),
        "campaign": str(CampaignFactory(organization=ngo_org).pk),
        "fee": "99000000",
        "currency": "USD",
        "due_date": "2031-01-31",
    }
    response = admin_client.post(url, data)

    assert response.status_code == 302  # the harmless field (due date) saved; the rest ignored
    collaboration.refresh_from_db()
    assert collaboration.creator != other_creator
    assert collaboration.campaign == campaign
    assert (collaboration.fee, collaboration.currency) == (Decimal("1000000"), "IDR")
    assert str(collaboration.due_date) == "2031-01-31"


def test_campaign_organization_currency_and_fees_are_read_only(admin_client, campaign, ngo_org, brand_owner):
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    before = (campaign.organization_id, campaign.currency, campaign.fee_min, campaign.fee_max, campaign.slots)
    data = change_form_data(admin_client.get(url)) | {
        "organization": str(ngo_org.pk),
        "currency": "USD",
        "fee_min": "1",
        "fee_max": "999999999",
        "slots": "50",
        "title": "Renamed by support",
        "created_by": str(brand_owner.pk),
    }

    assert admin_client.post(url, data).status_code == 302

    campaign.refresh_from_db()
    assert (
        campaign.organization_id,
        campaign.currency,
        campaign.fee_min,
        campaign.fee_max,
        campaign.slots,
    ) == before
    assert campaign.title == "Renamed by support"


def test_application_and_invitation_fees_are_read_only(admin_client, campaign):
    application = ApplicationFactory(campaign=campaign, proposed_fee=Decimal("800000"))
    invitation = InvitationFactory(campaign=campaign, offered_fee=Decimal("900000"))
    for obj, name, field in (
        (application, "application", "proposed_fee"),
        (invitation, "invitation", "offered_fee"),
    ):
        url = reverse(f"admin:campaigns_{name}_change", args=[obj.pk])
        before = getattr(obj, field)
        data = change_form_data(admin_client.get(url)) | {field: "1", "counter_fee": "1"}
        admin_client.post(url, data)
        obj.refresh_from_db()
        assert getattr(obj, field) == before, name
    invitation.refresh_from_db()
    assert invitation.counter_fee is None


def test_memberships_change_only_on_the_members_page(admin_client, brand_org, brand_manager):
    membership = Membership.objects.get(organization=brand_org, user=brand_manager)
    url = reverse("admin:brands_membership_change", args=[membership.pk])

    changed = admin_client.post(
        url, change_form_data(admin_client.get(url)) | {"role": Membership.Role.OWNER}
    )
    org_page = reverse("admin:brands_organization_change", args=[brand_org.pk])
    org_data = change_form_data(admin_client.get(org_page))
    org_data["memberships-TOTAL_FORMS"] = "2"
    org_data["memberships-1-user"] = str(UserFactory().pk)
    org_data["memberships-1-role"] = Membership.Role.OWNER
    added = admin_client.post(org_page, org_data)

    assert (changed.status_code, added.status_code) == (302, 302)  # saved, without the role or the new row

    membership.refresh_from_db()
    assert membership.role == Membership.Role.MANAGER
    assert Membership.objects.filter(organization=brand_org).count() == 2  # owner and manager only


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:campaigns_collaboration_add",
        "admin:campaigns_application_add",
        "admin:campaigns_invitation_add",
        "admin:campaigns_campaign_add",
        "admin:brands_membership_add",
    ],
)
def test_rows_that_move_money_cannot_be_added_in_the_admin(admin_client, url_name):
    assert admin_client.get(reverse(url_name)).status_code == 403


def test_rows_that_move_money_cannot_be_deleted_in_the_admin(admin_client, collaboration, brand_org):
    for url in (
        reverse("admin:campaigns_collaboration_delete", args=[collaboration.pk]),
        reverse("admin:campaigns_campaign_delete", args=[collaboration.campaign_id]),
        reverse("admin:brands_organization_delete", args=[brand_org.pk]),
        reverse("admin:creators_creatorprofile_delete", args=[collaboration.creator_id]),
    ):
        assert admin_client.post(url, {"post": "yes"}).status_code == 403, url
    assert Collaboration.objects.filter(pk=collaboration.pk).exists()


def test_deleting_a_user_cannot_take_their_collaborations_with_it(admin_client, collaboration):
    creator_user = collaboration.creator.user
    response = admin_client.post(
        reverse("admin:marketplace_user_delete", args=[creator_user.pk]), {"post": "yes"}
    )

    # Django's "cannot delete" page: the collaboration's admin allows no deletes.
    assert response.status_code == 200
    assert "collaboration" in response.context["perms_lacking"]
    assert Collaboration.objects.filter(pk=collaboration.pk).exists()


def test_the_admin_needs_a_session_verified_with_mfa(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff_mfa_setup"))


def test_granting_a_staff_role_in_the_admin_is_audited(admin_client, admin_user):
    from django.contrib.auth.models import Group

    from marketplace.permissions import PAYOUT_REVIEWERS, can_review_payouts

    person = UserFactory(email="new.reviewer@example.com")
    url = reverse("admin:marketplace_user_change", args=[person.pk])
    data = change_form_data(admin_client.get(url)) | {
        "is_staff": "on",
        "groups": [str(Group.objects.get(name=PAYOUT_REVIEWERS).pk)],
    }

    assert admin_client.post(url, data).status_code == 302

    person.refresh_from_db()
    assert can_review_payouts(person)
    event = AuditEvent.objects.get(action="user.staff_access_changed")
    assert (event.actor, event.target_id) == (admin_user, str(person.pk))
    assert event.data["groups_added"] == [PAYOUT_REVIEWERS]
