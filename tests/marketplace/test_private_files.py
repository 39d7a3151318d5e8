"""Draft files are private: stored outside MEDIA_ROOT, never at MEDIA_URL, handed out only by the
workspace's permission-checked view (streamed, or through nginx / Apache in production)."""

import importlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Submission
from tests.campaigns.factories import start_collaboration

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def debug_media_urls(settings):
    """The URLs as DEBUG = True builds them, with MEDIA_ROOT served at MEDIA_URL."""
    settings.DEBUG = True
    settings.ROOT_URLCONF = "tests.marketplace.urls_debug_media"


@pytest.fixture
def deliverable(campaign, creator, brand_owner):
    collaboration = start_collaboration(
        campaign, creator.creator_profile, by_user=brand_owner, fee=Decimal("1500000")
    )
    return collaboration.deliverables.get()


@pytest.fixture
def uploaded(client, deliverable, creator):
    """A draft uploaded by the creator through the workspace page."""
    client.force_login(creator)
    response = client.post(
        reverse("campaigns:submission_create", args=[deliverable.pk]),
        {"link": "", "caption": "Kopi pagi", "file": SimpleUploadedFile("look.png", PNG)},
    )
    assert response.status_code == 302
    client.logout()
    return Submission.objects.get()


def file_url(submission):
    return reverse("campaigns:submission_file", args=[submission.pk])


def test_an_uploaded_draft_is_not_reachable_at_media_url_even_with_debug_on(
    client, uploaded, debug_media_urls, settings, creator
):
    default_storage.save("org-logos/logo.png", ContentFile(PNG))
    assert client.get(settings.MEDIA_URL + "org-logos/logo.png").status_code == 200  # public files are

    assert uploaded.file.name.startswith("submissions/")
    assert not (Path(settings.MEDIA_ROOT) / uploaded.file.name).exists()
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / uploaded.file.name).read_bytes() == PNG
    for who in (None, creator):
        if who:
            client.force_login(who)
        assert client.get(settings.MEDIA_URL + uploaded.file.name).status_code == 404


def test_private_files_have_no_url(uploaded):
    with pytest.raises(ValueError, match="no URL"):
        uploaded.file.url  # noqa: B018


def test_the_brand_member_and_the_creator_get_the_file_and_an_outsider_gets_404(
    client, uploaded, creator, brand_viewer, outsider
):
    for who in (brand_viewer, creator):
        client.force_login(who)
        response = client.get(file_url(uploaded))
        assert response.status_code == 200, who
        assert b"".join(response.streaming_content) == PNG
        assert response["Content-Type"] == "image/png"
        assert "private" in response["Cache-Control"]

    client.force_login(outsider)
    assert client.get(file_url(uploaded)).status_code == 404
    client.logout()
    assert client.get(file_url(uploaded)).status_code == 302  # to the login page


def test_x_accel_redirect_mode_hands_the_file_to_nginx_after_the_check(
    client, uploaded, brand_viewer, outsider, settings
):
    settings.PRIVATE_MEDIA_SERVE = "x-accel-redirect"
    settings.PRIVATE_MEDIA_INTERNAL_PREFIX = "/internal-drafts/"
    client.force_login(brand_viewer)

    response = client.get(file_url(uploaded))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/internal-drafts/" + uploaded.file.name
    assert response.content == b""
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="{}"'.format(
        uploaded.file.name.rsplit("/", 1)[1]
    )
    client.force_login(outsider)
    refused = client.get(file_url(uploaded))
    assert refused.status_code == 404
    assert "X-Accel-Redirect" not in refused


def test_x_sendfile_mode_names_the_file_on_disk(client, uploaded, creator, settings):
    settings.PRIVATE_MEDIA_SERVE = "x-sendfile"
    client.force_login(creator)

    response = client.get(file_url(uploaded))

    assert response.status_code == 200
    assert response["X-Sendfile"] == str(Path(settings.PRIVATE_MEDIA_ROOT) / uploaded.file.name)
    assert response.content == b""


def test_the_migration_moves_existing_drafts_out_of_media_root(uploaded, settings):
    # A draft stored by the previous release, under MEDIA_ROOT.
    private = Path(settings.PRIVATE_MEDIA_ROOT) / uploaded.file.name
    old = Path(settings.MEDIA_ROOT) / uploaded.file.name
    old.parent.mkdir(parents=True)
    private.rename(old)
    migration = importlib.import_module("campaigns.migrations.0005_submission_files_private_storage")

    migration.move_to_private(apps, None)
    migration.move_to_private(apps, None)  # a second run finds nothing left to move

    assert not old.exists()
    assert private.read_bytes() == PNG
