"""Every link in an email points at SITE_URL, and emails call the site by its name."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from marketplace.services import notification_email_send, notify
from tests.marketplace.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SITE = "http://127.0.0.1:8101"

SIGNUP = {
    "email": "ayu@example.com",
    "full_name": "Ayu Lestari",
    "account_type": "creator",
    "password1": "batik-sunrise-2026",
    "password2": "batik-sunrise-2026",
}


def links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


@pytest.fixture(autouse=True)
def _site_on_another_port(settings):
    settings.SITE_URL = SITE


def test_verification_email_greets_from_kolabo_and_links_to_site_url(client):
    client.post(reverse("account_signup"), SIGNUP)

    (message,) = mail.outbox
    assert "Hello from Kolabo!" in message.body
    assert "Thank you for using Kolabo!" in message.body
    assert "testserver" not in message.body
    (link,) = [link for link in links(message.body) if "/accounts/confirm-email/" in link]
    assert link.startswith(f"{SITE}/accounts/confirm-email/")
    assert message.subject.startswith("[Kolabo] ")


def test_password_reset_email_links_to_site_url(client):
    UserFactory(email="maya@example.com")

    client.post(reverse("account_reset_password"), {"email": "maya@example.com"})

    (message,) = mail.outbox
    reset_links = [link for link in links(message.body) if "/accounts/password/reset/key/" in link]
    assert reset_links and all(
        link.startswith(f"{SITE}/accounts/password/reset/key/") for link in reset_links
    )
    assert "testserver" not in message.body


def test_confirmation_link_from_site_url_works(client):
    client.post(reverse("account_signup"), SIGNUP)
    (link,) = [link for link in links(mail.outbox[0].body) if "/accounts/confirm-email/" in link]

    response = client.post(link.removeprefix(SITE))

    assert response.status_code == 302


def test_notification_emails_link_to_site_url(user):
    notification = notify(
        recipient=user,
        kind="application.created",
        dedupe_key="k",
        params={"creator": "Ayu", "campaign": "Kopi"},
        url="/dashboard/",
        email=False,
    )

    notification_email_send(notification_id=notification.pk)

    assert f"{SITE}/dashboard/" in mail.outbox[0].body
    assert "8000" not in mail.outbox[0].body


# `make run` sets SITE_URL from HOST and PORT (scripts/run_with_emulators.sh).


def run_script(tmp_path, host, port, env_file="", **env):
    """Run the script with a stand-in python that prints SITE_URL when asked to runserver."""
    fake = tmp_path / "python"
    fake.write_text(
        '#!/bin/sh\nif [ "$2" = runserver ]; then echo "SITE_URL=${SITE_URL:-unset}"; exit 0; fi\n'
        f'exec {sys.executable} "$@"\n'
    )
    fake.chmod(0o755)
    (tmp_path / ".env").write_text(env_file)
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    # With a Stripe key and platform credentials set, the script skips the emulators and goes
    # straight to runserver.
    environment |= {"STRIPE_SECRET_KEY": "sk_test_script", "INSTAGRAM_CLIENT_SECRET": "script"} | env
    result = subprocess.run(
        ["bash", str(ROOT / "scripts/run_with_emulators.sh"), str(fake), host, port],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line.startswith("SITE_URL=")][-1]


def test_make_run_points_email_links_at_its_own_port(tmp_path):
    assert run_script(tmp_path, "127.0.0.1", "8101") == "SITE_URL=http://127.0.0.1:8101"


def test_make_run_on_all_interfaces_links_to_loopback(tmp_path):
    assert run_script(tmp_path, "0.0.0.0", "8102") == "SITE_URL=http://127.0.0.1:8102"  # noqa: S104


def test_make_run_keeps_a_site_url_from_the_environment(tmp_path):
    assert run_script(tmp_path, "127.0.0.1", "8101", SITE_URL="https://kolabo.example") == (
        "SITE_URL=https://kolabo.example"
    )


def test_make_run_keeps_a_site_url_from_dot_env(tmp_path):
    # Settings read .env without overriding the environment, so the script must not export one.
    assert run_script(tmp_path, "127.0.0.1", "8101", env_file="SITE_URL=https://kolabo.example\n") == (
        "SITE_URL=unset"
    )
