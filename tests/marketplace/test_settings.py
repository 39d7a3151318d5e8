import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# What a production deployment must set; each test removes or spoils one of them.
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-for-check-deploy-only-" + "y" * 20,
    "DJANGO_ALLOWED_HOSTS": "kolabo.example.org",
    "DATABASE_URL": "sqlite:////tmp/kolabo-check-deploy.sqlite3",
    "SITE_URL": "https://kolabo.example.org",
    "STRIPE_SECRET_KEY": "sk_live_kolabo_check_deploy_only",
    "STRIPE_WEBHOOK_SECRET": "whsec_kolabo_check_deploy_only",
    "INSTAGRAM_CLIENT_ID": "1234567890",
    "INSTAGRAM_CLIENT_SECRET": "instagram-secret-for-check-deploy-only",
    "TIKTOK_CLIENT_KEY": "awkolabocheckdeploy",
    "TIKTOK_CLIENT_SECRET": "tiktok-secret-for-check-deploy-only",
    "PLATFORM_TOKEN_KEYS": "cHJvZHVjdGlvbi1jaGVjay1kZXBsb3ktb25seS1rZXk=",
}


def run_python(code: str, **overrides: str | None) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with PRODUCTION_ENV plus `overrides` (None unsets)."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "marketplace.settings"}
    for name, value in {**PRODUCTION_ENV, **overrides}.items():
        if value is not None:
            env[name] = value
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy():
    env = {"PATH": os.environ["PATH"], **PRODUCTION_ENV}

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_ENV": "production",
        "DJANGO_ALLOWED_HOSTS": "kolabo.example.org",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_every_setting_read_from_the_environment_is_documented():
    import re

    source = (ROOT / "marketplace" / "settings.py").read_text()
    read = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z_]+)\"", source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))

    assert read, "the pattern must find the variables settings.py reads"
    assert read - documented == set()


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"STRIPE_SECRET_KEY": None}, "STRIPE_SECRET_KEY"),
        ({"STRIPE_SECRET_KEY": ""}, "STRIPE_SECRET_KEY"),
        ({"STRIPE_WEBHOOK_SECRET": None}, "STRIPE_WEBHOOK_SECRET"),
        ({"STRIPE_SECRET_KEY": "sk_test_kolabo_emulator"}, "STRIPE_SECRET_KEY"),
        ({"STRIPE_WEBHOOK_SECRET": "whsec_kolabo_emulator"}, "STRIPE_WEBHOOK_SECRET"),
        ({"STRIPE_API_BASE": "http://127.0.0.1:12111"}, "STRIPE_API_BASE"),
        ({"STRIPE_API_BASE": "http://localhost:12111"}, "STRIPE_API_BASE"),
        ({"SITE_URL": None}, "SITE_URL"),
        ({"INSTAGRAM_CLIENT_SECRET": None}, "INSTAGRAM_CLIENT_SECRET"),
        ({"TIKTOK_CLIENT_SECRET": "kolabo-tt-secret"}, "TIKTOK_CLIENT_SECRET"),
        ({"PLATFORM_TOKEN_KEYS": None}, "PLATFORM_TOKEN_KEYS"),
        ({"PLATFORM_TOKEN_KEYS": "not-a-fernet-key"}, "PLATFORM_TOKEN_KEYS"),
        ({"SITE_URL": "http://127.0.0.1:8000"}, "SITE_URL"),
    ],
)
def test_production_refuses_to_start_without_real_stripe_settings_and_site_url(overrides, named):
    result = run_python("import django; django.setup()", **overrides)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


def test_production_talks_to_stripe_itself_by_default():
    code = "from django.conf import settings; print(settings.STRIPE_API_BASE, settings.SITE_URL)"

    result = run_python(code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://api.stripe.com", "https://kolabo.example.org"]


def test_development_still_defaults_to_the_emulator():
    code = "from django.conf import settings; print(settings.STRIPE_API_BASE, settings.STRIPE_SECRET_KEY)"

    result = run_python(code, DJANGO_ENV="development", STRIPE_SECRET_KEY=None, STRIPE_WEBHOOK_SECRET=None)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["http://127.0.0.1:12111", "sk_test_kolabo_emulator"]


def test_private_files_cannot_live_inside_media_root(tmp_path):
    result = run_python(
        "import django; django.setup()",
        MEDIA_ROOT=str(tmp_path / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "media" / "private"),
    )

    assert result.returncode != 0
    assert "PRIVATE_MEDIA_ROOT must not be inside MEDIA_ROOT" in result.stderr


def test_an_unknown_private_file_serving_mode_is_refused():
    result = run_python("import django; django.setup()", PRIVATE_MEDIA_SERVE="nginx")

    assert result.returncode != 0
    assert "PRIVATE_MEDIA_SERVE must be django, x-accel-redirect or x-sendfile" in result.stderr
