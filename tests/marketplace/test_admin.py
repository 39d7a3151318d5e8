import pytest
from django.urls import reverse

from marketplace.models import AuditEvent
from marketplace.services import audit_record
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
