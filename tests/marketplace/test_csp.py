"""Every page carries a Content-Security-Policy: our own origin only, inline scripts only with the
request's nonce; the API docs get a narrow exception for the styles their libraries inject."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from campaigns.models import InvitationBatch

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def nonce_of(response) -> str:
    [source] = [value for value in policy(response)["script-src"] if value.startswith("'nonce-")]
    return source[len("'nonce-") : -1]


def inline_scripts(page: str) -> list[str]:
    """The opening tags of <script> elements without src that the browser would execute."""
    tags = re.findall(r"<script\b[^>]*>", page)
    return [tag for tag in tags if "src=" not in tag and "application/json" not in tag]


@pytest.mark.parametrize("name", ["home", "account_login", "account_signup", "api:docs", "api:redoc"])
def test_public_pages_render_with_the_policy(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]


def test_site_pages_allow_no_inline_styles(client):
    directives = policy(client.get(reverse("home")))

    assert directives["style-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no nonce when the page has no inline script


def test_swagger_ui_runs_its_inline_script_with_the_nonce(client):
    response = client.get(reverse("api:docs"))

    [script] = inline_scripts(response.content.decode())
    assert f'nonce="{nonce_of(response)}"' in script


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_the_api_docs_load_everything_from_our_origin_with_injected_styles_allowed(client, name):
    response = client.get(reverse(name))

    page = response.content.decode()
    assert re.findall(r'<script src="([^"]+)"', page)
    assert all(src.startswith("/static/") for src in re.findall(r'<script src="([^"]+)"', page))
    assert "fonts.googleapis.com" not in page
    # Swagger UI and Redoc inject <style> elements; only these pages allow that.
    assert policy(response)["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy(response)["worker-src"] == ["'self'", "blob:"]


def test_the_campaign_page_polls_invitation_batches_with_the_nonce(client, campaign, brand_owner):
    InvitationBatch.objects.create(
        campaign=campaign, created_by=brand_owner, total=3, creator_ids=[1, 2, 3], idempotency_key="k"
    )
    client.force_login(brand_owner)

    response = client.get(reverse("campaigns:campaign_manage", args=[campaign.pk]))

    assert response.status_code == 200
    [script] = inline_scripts(response.content.decode())
    assert f'nonce="{nonce_of(response)}"' in script


def test_signed_in_pages_carry_the_policy(client, brand_owner, brand_org):
    client.force_login(brand_owner)

    for url in (reverse("dashboard"), reverse("brands:org_detail", args=[brand_org.slug])):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert policy(response)["default-src"] == ["'self'"], url


def test_templates_have_no_inline_handlers_styles_or_scripts_without_nonce():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        if re.search(r"\son[a-z]+\s*=", text) or re.search(r"\sstyle\s*=", text):
            offenders.append(str(template))
        for tag in inline_scripts(text):
            if "nonce=" not in tag:
                offenders.append(f"{template}: {tag}")
        if "javascript:" in text:
            offenders.append(f"{template}: javascript: URL")

    assert offenders == []
