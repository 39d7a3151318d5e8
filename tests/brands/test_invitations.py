from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from brands import services
from brands.models import Membership, OrgInvitation
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent
from tests.marketplace.factories import UserFactory

from .factories import OrgInvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitee(db):
    return UserFactory(email="invitee@example.com", full_name="Indah Invitee")


@pytest.fixture
def invitation(brand_org, brand_owner, invitee):
    return OrgInvitationFactory(
        organization=brand_org, invited_by=brand_owner, email=invitee.email, role=Membership.Role.MANAGER
    )


# Sending


def test_invitation_email_with_accept_link_is_sent_after_commit(
    client, brand_org, brand_owner, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://kolabo.example"
    client.force_login(brand_owner)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("brands:members", args=[brand_org.slug]),
            {"email": "New.Person@Example.com", "role": "manager"},
        )
    assert response.status_code == 302
    assert mail.outbox == []  # nothing leaves before the transaction commits

    for callback in callbacks:
        callback()

    invitation = OrgInvitation.objects.get()
    assert invitation.email == "new.person@example.com"
    assert invitation.status == OrgInvitation.Status.PENDING
    assert invitation.invited_by == brand_owner
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.com"]
    assert "Kopi Nusantara" in message.subject
    assert f"https://kolabo.example/orgs/invitations/{invitation.token}/" in message.body
    assert AuditEvent.objects.filter(action="invitation.created", target_id=str(invitation.pk)).exists()


def test_invitation_expires_after_the_configured_number_of_days(brand_org, brand_owner, settings):
    settings.ORG_INVITATION_TTL_DAYS = 3

    invitation = services.invitation_create(
        organization=brand_org, by_user=brand_owner, email="a@example.com", role="viewer"
    )

    assert timedelta(days=2, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=3)


def test_duplicate_pending_invitation_is_refused_with_a_clear_message(
    client, brand_org, brand_owner, invitation
):
    client.force_login(brand_owner)

    response = client.post(
        reverse("brands:members", args=[brand_org.slug]),
        {"email": invitation.email.upper(), "role": "viewer"},
    )

    assert response.status_code == 400
    errors = str(response.context["invite_form"].errors["email"])
    assert "already has a pending invitation" in errors
    assert "Revoke it first" in errors
    assert OrgInvitation.objects.count() == 1


def test_expired_pending_invitation_is_replaced_by_a_new_one(brand_org, brand_owner, invitation):
    invitation.expires_at = timezone.now() - timedelta(days=1)
    invitation.save()

    new = services.invitation_create(
        organization=brand_org, by_user=brand_owner, email=invitation.email, role="viewer"
    )

    invitation.refresh_from_db()
    assert invitation.status == OrgInvitation.Status.REVOKED
    assert new.status == OrgInvitation.Status.PENDING
    assert new.token != invitation.token


def test_inviting_an_existing_member_is_refused(client, brand_org, brand_owner, brand_viewer):
    client.force_login(brand_owner)

    response = client.post(
        reverse("brands:members", args=[brand_org.slug]), {"email": brand_viewer.email, "role": "manager"}
    )

    assert response.status_code == 400
    assert "is already a member of Kopi Nusantara" in str(response.context["invite_form"].errors["email"])
    assert not OrgInvitation.objects.exists()
    assert mail.outbox == []


def test_manager_cannot_invite_an_owner(brand_org, brand_manager):
    with pytest.raises(PermissionDeniedError, match="Only owners can invite another owner"):
        services.invitation_create(
            organization=brand_org, by_user=brand_manager, email="x@example.com", role="owner"
        )

    assert not OrgInvitation.objects.exists()


def test_manager_is_not_offered_the_owner_role(client, brand_org, brand_manager):
    client.force_login(brand_manager)

    response = client.get(reverse("brands:members", args=[brand_org.slug]))

    roles = [value for value, _label in response.context["invite_form"].fields["role"].choices]
    assert roles == ["manager", "viewer"]


def test_viewer_cannot_invite(client, brand_org, brand_viewer):
    client.force_login(brand_viewer)

    response = client.post(
        reverse("brands:members", args=[brand_org.slug]), {"email": "x@example.com", "role": "viewer"}
    )

    assert response.status_code == 403
    assert not OrgInvitation.objects.exists()


def test_owner_can_invite_an_owner(brand_org, brand_owner):
    invitation = services.invitation_create(
        organization=brand_org, by_user=brand_owner, email="co-owner@example.com", role="owner"
    )

    assert invitation.role == Membership.Role.OWNER


# Accepting


def test_invitee_accepts_and_joins_with_the_invited_role(client, brand_org, brand_owner, invitation, invitee):
    client.force_login(invitee)
    url = reverse("brands:invitation_accept", args=[invitation.token])

    page = client.get(url)
    response = client.post(url)

    assert page.status_code == 200
    assert "Kopi Nusantara" in page.content.decode()
    assert "Olivia Owner" in page.content.decode()
    assert response.status_code == 302
    assert response.url == reverse("brands:org_detail", args=[brand_org.slug])
    membership = Membership.objects.get(organization=brand_org, user=invitee)
    assert membership.role == Membership.Role.MANAGER
    invitation.refresh_from_db()
    assert invitation.status == OrgInvitation.Status.ACCEPTED
    assert invitation.accepted_by == invitee
    assert invitation.accepted_at is not None
    event = AuditEvent.objects.get(action="invitation.accepted")
    assert (event.from_status, event.to_status) == ("pending", "accepted")


def test_inviter_is_told_when_the_invitation_is_accepted(
    brand_owner, invitation, invitee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_accept(invitation=invitation, by_user=invitee)

    assert [m.to for m in mail.outbox] == [[brand_owner.email]]
    assert "Indah Invitee" in mail.outbox[0].body


def test_invitee_email_matches_case_insensitively(brand_org, invitation, invitee):
    invitee.email = "Invitee@Example.com"  # e.g. an address changed through allauth keeps its capitals

    membership = services.invitation_accept(invitation=invitation, by_user=invitee)

    assert membership.organization == brand_org


def test_expired_invitation_is_refused_with_the_message_and_nothing_is_written(client, invitation, invitee):
    invitation.expires_at = timezone.now() - timedelta(days=2)
    invitation.save()
    audit_before = AuditEvent.objects.count()
    client.force_login(invitee)

    response = client.post(reverse("brands:invitation_accept", args=[invitation.token]))

    body = response.content.decode()
    assert response.status_code == 400
    assert "This invitation expired on" in body
    assert "Ask Kopi Nusantara to send a new one." in body
    assert not Membership.objects.filter(user=invitee).exists()
    invitation.refresh_from_db()
    assert invitation.status == OrgInvitation.Status.PENDING
    assert AuditEvent.objects.count() == audit_before


def test_expired_invitation_message_names_the_expiry_date(invitation, invitee):
    invitation.expires_at = timezone.make_aware(timezone.datetime(2025, 3, 14, 12, 0))
    invitation.save()

    with pytest.raises(InvalidTransition) as excinfo:
        services.invitation_accept(invitation=invitation, by_user=invitee)

    assert (
        str(excinfo.value)
        == "This invitation expired on March 14, 2025. Ask Kopi Nusantara to send a new one."
    )


def test_already_used_invitation_is_refused(invitation, invitee):
    services.invitation_accept(invitation=invitation, by_user=invitee)

    with pytest.raises(InvalidTransition, match="already been used"):
        services.invitation_accept(invitation=invitation, by_user=invitee)
    assert Membership.objects.filter(user=invitee).count() == 1


def test_revoked_invitation_is_refused(client, brand_owner, invitation, invitee):
    services.invitation_revoke(invitation=invitation, by_user=brand_owner)
    client.force_login(invitee)

    response = client.post(reverse("brands:invitation_accept", args=[invitation.token]))

    assert response.status_code == 400
    assert "This invitation was withdrawn. Ask Kopi Nusantara to send a new one." in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()


def test_user_with_another_email_is_refused_and_told_which_email_was_invited(client, invitation, outsider):
    client.force_login(outsider)
    url = reverse("brands:invitation_accept", args=[invitation.token])

    page = client.get(url)
    response = client.post(url)

    assert "This invitation was sent to invitee@example.com" in page.content.decode()
    assert response.status_code == 400
    assert "This invitation was sent to invitee@example.com" in response.content.decode()
    assert "Log in with invitee@example.com to accept it." in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()
    invitation.refresh_from_db()
    assert invitation.status == OrgInvitation.Status.PENDING


def test_anonymous_visitor_is_offered_log_in_and_sign_up_that_come_back(client, invitation):
    url = reverse("brands:invitation_accept", args=[invitation.token])

    page = client.get(url)
    post = client.post(url)

    body = page.content.decode()
    assert page.status_code == 200
    assert f"{reverse('account_login')}?next=%2Forgs%2Finvitations%2F{invitation.token}%2F" in body
    assert f"{reverse('account_signup')}?next=%2Forgs%2Finvitations%2F{invitation.token}%2F" in body
    assert post.status_code == 302
    assert post.url.startswith(reverse("account_login"))
    assert not Membership.objects.filter(organization=invitation.organization).exclude(role="owner").exists()


def test_unknown_invitation_token_gives_404(client, invitee):
    client.force_login(invitee)

    assert client.get(reverse("brands:invitation_accept", args=["nope"])).status_code == 404


# Revoking


def test_manager_revokes_a_pending_invitation(client, brand_org, brand_manager, invitation):
    client.force_login(brand_manager)

    response = client.post(reverse("brands:invitation_revoke", args=[brand_org.slug, invitation.pk]))

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == OrgInvitation.Status.REVOKED
    event = AuditEvent.objects.get(action="invitation.revoked")
    assert (event.from_status, event.to_status) == ("pending", "revoked")


def test_revoking_an_accepted_invitation_is_refused(brand_owner, invitation, invitee):
    services.invitation_accept(invitation=invitation, by_user=invitee)

    with pytest.raises(InvalidTransition):
        services.invitation_revoke(invitation=invitation, by_user=brand_owner)


def test_viewer_cannot_revoke(client, brand_org, brand_viewer, invitation):
    client.force_login(brand_viewer)

    client.post(reverse("brands:invitation_revoke", args=[brand_org.slug, invitation.pk]))

    invitation.refresh_from_db()
    assert invitation.status == OrgInvitation.Status.PENDING


def test_revoke_is_post_only(client, brand_org, brand_owner, invitation):
    client.force_login(brand_owner)

    response = client.get(reverse("brands:invitation_revoke", args=[brand_org.slug, invitation.pk]))

    assert response.status_code == 405


def test_invalid_role_is_refused_by_the_service(brand_org, brand_owner):
    with pytest.raises(ValidationFailed):
        services.invitation_create(
            organization=brand_org, by_user=brand_owner, email="a@example.com", role="boss"
        )
