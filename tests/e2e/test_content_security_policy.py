"""In a real browser, the Content-Security-Policy blocks nothing the pages need: the API docs
render, and the campaign page's batch poller runs (its inline script carries the nonce)."""

import pytest
from django.conf import settings
from django.test import Client

from campaigns.models import InvitationBatch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def violations(page):
    """Content-Security-Policy violations the browser reports on this page."""
    found = []
    page.on(
        "console", lambda message: "Content Security Policy" in message.text and found.append(message.text)
    )
    return found


def sign_in(page, user, live_server):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_public_pages_and_the_api_docs_render_under_the_policy(page, violations):
    page.goto("/")
    page.goto("/accounts/login/")
    page.get_by_label("Email").first.wait_for()

    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Kolabo partner API" in page.locator(".swagger-ui .info .title").inner_text()

    page.goto("/api/redoc/")
    page.locator("redoc h1, #redoc-container h1").first.wait_for()

    # Redoc's "powered by" logo comes from its CDN: blocking that is the policy doing its job.
    assert [text for text in violations if "cdn.redoc.ly" not in text] == []


def test_the_batch_poller_runs_with_its_nonce(page, violations, live_server, campaign, brand_owner):
    batch = InvitationBatch.objects.create(
        campaign=campaign, created_by=brand_owner, total=3, creator_ids=[1, 2, 3], idempotency_key="k"
    )
    sign_in(page, brand_owner, live_server)
    page.goto(f"/campaigns/{campaign.pk}/manage/")
    page.locator('[data-testid="invitation-batch"]').wait_for()

    # The script polls every 3 s and reloads the page once the batch has finished.
    InvitationBatch.objects.filter(pk=batch.pk).update(status="done", processed=3, invited=3)
    page.locator('[data-testid="invitation-batch"][data-status="done"]').wait_for(timeout=15_000)

    assert violations == []
