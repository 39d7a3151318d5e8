import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from brands import services
from brands.models import Organization, VerificationRequest
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent
from tests.marketplace.mfa_helpers import login_with_mfa

from .factories import VerificationRequestFactory

pytestmark = pytest.mark.django_db

EVIDENCE = "NIB 9120001234567, NPWP 01.234.567.8-901.000, https://kopi.example, instagram.com/kopinusantara"


def nib() -> SimpleUploadedFile:
    """A brand sends its NIB (or NPWP) with the request: tests/brands/test_verification_documents.py."""
    return SimpleUploadedFile("nib.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")


def docs() -> dict:
    return {"nib": nib()}


def test_submit_then_staff_approve_verifies_the_organization(
    client, brand_org, brand_manager, brand_owner, staff_user, django_capture_on_commit_callbacks
):
    # Given a manager submits evidence
    client.force_login(brand_manager)
    response = client.post(
        reverse("brands:verification_request", args=[brand_org.slug]), {"evidence": EVIDENCE, "nib": nib()}
    )
    assert response.status_code == 302
    brand_org.refresh_from_db()
    assert brand_org.verification_status == Organization.VerificationStatus.PENDING
    request = VerificationRequest.objects.get()
    assert request.submitted_by == brand_manager

    # When staff approve it from the queue
    login_with_mfa(client, staff_user)
    queue = client.get(reverse("brands:verification_queue"))
    assert "Kopi Nusantara" in queue.content.decode()
    assert "NPWP 01.234.567.8-901.000" in queue.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        decided = client.post(
            reverse("brands:verification_decide", args=[request.pk]), {f"r{request.pk}-decision": "approve"}
        )

    # Then the organization is verified, audited and told
    assert decided.status_code == 302
    brand_org.refresh_from_db()
    assert brand_org.verification_status == Organization.VerificationStatus.VERIFIED
    assert brand_org.verified_at is not None
    request.refresh_from_db()
    assert request.status == VerificationRequest.Status.APPROVED
    assert request.reviewed_by == staff_user
    change = AuditEvent.objects.get(action="organization.verification_changed", to_status="verified")
    assert change.from_status == "pending"
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {brand_owner.email, brand_manager.email}
    assert "is now verified" in mail.outbox[0].subject


def test_reject_requires_a_reason(brand_org, staff_user):
    request = VerificationRequestFactory(organization=brand_org)

    with pytest.raises(ValidationFailed) as excinfo:
        services.verification_request_reject(request=request, by_user=staff_user, reason="   ")

    assert excinfo.value.field == "reason"
    request.refresh_from_db()
    assert request.status == VerificationRequest.Status.PENDING


def test_reject_without_reason_in_the_queue_shows_the_error_on_the_reason_field(
    client, brand_org, staff_user
):
    request = VerificationRequestFactory(organization=brand_org)
    login_with_mfa(client, staff_user)

    response = client.post(
        reverse("brands:verification_decide", args=[request.pk]),
        {f"r{request.pk}-decision": "reject", f"r{request.pk}-reason": ""},
    )

    assert response.status_code == 400
    assert "Explain why the request is rejected" in response.content.decode()
    request.refresh_from_db()
    assert request.status == VerificationRequest.Status.PENDING


def test_rejected_organization_sees_the_reason_and_can_submit_again(
    client, brand_org, brand_owner, staff_user, django_capture_on_commit_callbacks
):
    request = services.verification_request_submit(
        organization=brand_org, by_user=brand_owner, evidence=EVIDENCE, documents=docs()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.verification_request_reject(
            request=request, by_user=staff_user, reason="The NIB does not match the company name."
        )
    brand_org.refresh_from_db()
    assert brand_org.verification_status == Organization.VerificationStatus.REJECTED
    assert "The NIB does not match the company name." in mail.outbox[0].body

    client.force_login(brand_owner)
    page = client.get(reverse("brands:verification_request", args=[brand_org.slug]))
    assert "The NIB does not match the company name." in page.content.decode()
    again = client.post(
        reverse("brands:verification_request", args=[brand_org.slug]),
        {"evidence": "Akta 12/2020", "nib": nib()},
    )

    assert again.status_code == 302
    assert brand_org.verification_requests.filter(status=VerificationRequest.Status.PENDING).count() == 1


def test_second_pending_request_is_refused(brand_org, brand_owner):
    services.verification_request_submit(
        organization=brand_org, by_user=brand_owner, evidence=EVIDENCE, documents=docs()
    )

    with pytest.raises(InvalidTransition, match="already waiting for review"):
        services.verification_request_submit(
            organization=brand_org, by_user=brand_owner, evidence=EVIDENCE, documents=docs()
        )


def test_verified_organization_cannot_request_again(brand_org, brand_owner):
    brand_org.verification_status = Organization.VerificationStatus.VERIFIED
    brand_org.save()

    with pytest.raises(InvalidTransition, match="already verified"):
        services.verification_request_submit(
            organization=brand_org, by_user=brand_owner, evidence=EVIDENCE, documents=docs()
        )


def test_viewer_cannot_request_verification(client, brand_org, brand_viewer):
    client.force_login(brand_viewer)

    response = client.post(
        reverse("brands:verification_request", args=[brand_org.slug]), {"evidence": EVIDENCE, "nib": nib()}
    )

    assert response.status_code == 403
    assert not VerificationRequest.objects.exists()


def test_non_staff_get_404_on_the_queue_and_decisions(client, brand_org, brand_owner):
    request = VerificationRequestFactory(organization=brand_org)
    client.force_login(brand_owner)

    queue = client.get(reverse("brands:verification_queue"))
    decide = client.post(
        reverse("brands:verification_decide", args=[request.pk]), {f"r{request.pk}-decision": "approve"}
    )

    assert queue.status_code == 404
    assert decide.status_code == 404
    request.refresh_from_db()
    assert request.status == VerificationRequest.Status.PENDING


def test_non_staff_cannot_approve_through_the_service(brand_org, brand_owner):
    request = VerificationRequestFactory(organization=brand_org)

    with pytest.raises(PermissionDeniedError):
        services.verification_request_approve(request=request, by_user=brand_owner)


def test_staff_cannot_review_their_own_organization(brand_org, staff_user):
    from brands.models import Membership

    Membership.objects.create(organization=brand_org, user=staff_user, role=Membership.Role.MANAGER)
    request = VerificationRequestFactory(organization=brand_org)

    with pytest.raises(PermissionDeniedError):
        services.verification_request_approve(request=request, by_user=staff_user)


def test_a_decided_request_cannot_be_decided_again(brand_org, staff_user):
    request = VerificationRequestFactory(organization=brand_org)
    services.verification_request_approve(request=request, by_user=staff_user)

    with pytest.raises(InvalidTransition, match="already been approved"):
        services.verification_request_reject(request=request, by_user=staff_user, reason="Changed my mind")


def test_admin_action_approves_through_the_service(client, brand_org, db):
    from tests.marketplace.factories import UserFactory

    admin_user = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    request = VerificationRequestFactory(organization=brand_org)
    login_with_mfa(client, admin_user)

    response = client.post(
        reverse("admin:brands_verificationrequest_changelist"),
        {"action": "approve_selected", "_selected_action": [request.pk]},
    )

    assert response.status_code == 302
    brand_org.refresh_from_db()
    assert brand_org.verification_status == Organization.VerificationStatus.VERIFIED
    assert AuditEvent.objects.filter(action="verification.approved", actor=admin_user).exists()


@pytest.mark.parametrize("url_name", ["organization", "membership", "orginvitation", "verificationrequest"])
def test_admin_changelists_load(client, brand_org, url_name):
    from tests.marketplace.factories import UserFactory

    login_with_mfa(client, UserFactory(email="root@example.com", is_staff=True, is_superuser=True))

    response = client.get(reverse(f"admin:brands_{url_name}_changelist"))

    assert response.status_code == 200
