"""Issuing and revoking credentials on the web: shown once, stored hashed, owners/managers only."""

from django.urls import reverse

from api.models import ApiKey, PersonalToken, hash_secret
from tests.api.conftest import bearer


def test_a_manager_creates_a_key_shown_once_and_stored_hashed(client, brand_org, brand_manager):
    client.force_login(brand_manager)
    url = reverse("api_web:api_keys", args=[brand_org.slug])

    response = client.post(url, {"name": "Agency CRM", "scope": "read_write"})

    token = response.context["token"]
    key = ApiKey.objects.get()
    assert response.status_code == 200
    assert token.startswith(f"kolabo_key_{key.prefix}_")
    assert key.secret_hash == hash_secret(token.split("_", 3)[3])
    assert token not in client.get(url).content.decode()  # never again
    assert bearer(token).get(reverse("api:me")).status_code == 200


def test_a_viewer_cannot_create_keys_and_outsiders_get_404(client, brand_org, brand_viewer, outsider):
    url = reverse("api_web:api_keys", args=[brand_org.slug])
    client.force_login(brand_viewer)

    refused = client.post(url, {"name": "Mine", "scope": "read"})

    assert refused.status_code == 403
    assert "Only owners and managers" in refused.content.decode()
    assert not ApiKey.objects.exists()
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_revoking_a_key_turns_it_off(client, brand_org, brand_owner):
    client.force_login(brand_owner)
    token = client.post(
        reverse("api_web:api_keys", args=[brand_org.slug]), {"name": "CRM", "scope": "read"}
    ).context["token"]
    key = ApiKey.objects.get()

    client.post(reverse("api_web:api_key_revoke", args=[brand_org.slug, key.pk]))

    assert bearer(token).get(reverse("api:me")).status_code == 401


def test_a_creator_makes_and_revokes_a_personal_token(client, creator):
    client.force_login(creator)

    token = client.post(reverse("api_web:personal_tokens"), {"name": "Laptop"}).context["token"]
    assert bearer(token).get(reverse("api:me")).json()["email"] == creator.email

    client.post(reverse("api_web:personal_token_revoke", args=[PersonalToken.objects.get().pk]))
    assert bearer(token).get(reverse("api:me")).status_code == 401


def test_someone_elses_token_cannot_be_revoked(client, creator, outsider):
    client.force_login(creator)
    client.post(reverse("api_web:personal_tokens"), {"name": "Laptop"})
    client.force_login(outsider)

    response = client.post(reverse("api_web:personal_token_revoke", args=[PersonalToken.objects.get().pk]))

    assert response.status_code == 404
    assert PersonalToken.objects.get().revoked_at is None
