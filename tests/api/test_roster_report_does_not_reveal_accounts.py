"""A roster import never tells the importing organization which emails have a Kolabo account.

What the organization legitimately sees is what happened to its own data: lines imported, lines to
fix. An email that belongs to someone else's account (a self-registered creator, a staff member,
a creator another organization imported) reads exactly like a new email, in the service's result,
on the web page and in the API's job report, first import and re-import alike; the account is
left untouched and its owner is told by email, once.
"""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from creators.models import CreatorProfile, SocialAccount
from creators.roster.importing import roster_import
from tests.api.conftest import bearer, make_key
from tests.creators.test_roster import csv_bytes, row
from tests.marketplace.factories import UserFactory

pytestmark = pytest.mark.django_db


def _file(email: str) -> bytes:
    # A handle of its own per email, so that no line collides with another on the handle.
    handle = "sari." + email.split("@")[0].replace("-", ".")
    return csv_bytes(row(email=email, display_name="Sari", handle=handle, city="Bandung"))


def _outcome(result):
    return (result.total, result.created, result.updated, result.skipped, result.written, result.errors)


@pytest.fixture
def existing(creator, staff_user, ngo_org):
    """Emails that already have accounts the brand does not manage."""
    imported_elsewhere = ngo_org.memberships.get().user
    roster_import(
        organization=ngo_org,
        by_user=imported_elsewhere,
        content=csv_bytes(row(email="ngo-roster@example.com", handle="ngo.roster")),
    )
    return {"creator": creator.email, "staff": staff_user.email, "other_org_roster": "ngo-roster@example.com"}


@pytest.mark.parametrize("who", ["creator", "staff", "other_org_roster"])
def test_an_existing_accounts_email_reads_like_a_new_one(
    brand_org, brand_owner, existing, who, django_capture_on_commit_callbacks
):
    new_first = roster_import(
        organization=brand_org, by_user=brand_owner, content=_file("nobody@example.com")
    )
    new_again = roster_import(
        organization=brand_org, by_user=brand_owner, content=_file("nobody@example.com")
    )
    mail.outbox.clear()
    email = existing[who]
    profile_before = CreatorProfile.objects.filter(user__email=email).values().first()

    with django_capture_on_commit_callbacks(execute=True):
        first = roster_import(organization=brand_org, by_user=brand_owner, content=_file(email))
    with django_capture_on_commit_callbacks(execute=True):
        again = roster_import(organization=brand_org, by_user=brand_owner, content=_file(email))

    assert _outcome(first) == _outcome(new_first) == (1, 1, 0, 0, True, [])
    assert _outcome(again) == _outcome(new_again) == (1, 0, 1, 0, True, [])
    # The account is not touched...
    assert CreatorProfile.objects.filter(user__email=email).values().first() == profile_before
    assert not SocialAccount.objects.filter(profile__user__email=email, handle__startswith="sari.").exists()
    # ...and its owner hears about it once, in words that do not ask them to do anything.
    assert [message.to for message in mail.outbox] == [[email]]
    assert brand_org.name in mail.outbox[0].subject


def test_the_pair_of_email_and_own_handle_reads_like_a_new_email_with_that_handle(
    brand_org, brand_owner, creator
):
    handle = creator.creator_profile.social_accounts.get().handle
    own = csv_bytes(row(email=creator.email, handle=handle))
    new = csv_bytes(row(email="nobody@example.com", handle=handle))

    with_account = roster_import(organization=brand_org, by_user=brand_owner, content=own)
    without = roster_import(organization=brand_org, by_user=brand_owner, content=new)

    assert _outcome(with_account) == _outcome(without)
    assert [(e.line, e.column) for e in with_account.errors] == [(2, "handle")]


def _result_section(html: str) -> str:
    # The job page's outcome and report (its title, dates and links name the job, not the creator).
    match = re.search(r'<p id="progress-text" role="status">.*?</p>', html, re.S)
    assert match, "the page shows a result"
    tables = re.findall(
        r'<table class="compact" data-testid="roster-(?:errors|warnings)">.*?</table>', html, re.S
    )
    return match.group(0) + "".join(tables)


def test_the_web_report_is_the_same_for_a_staff_email_and_a_new_one(
    client, brand_org, brand_owner, django_capture_on_commit_callbacks
):
    staff = UserFactory(is_staff=True, email="reviewer@kolabo.example")
    client.force_login(brand_owner)

    def page(email):
        upload = SimpleUploadedFile("roster.csv", _file(email), content_type="text/csv")
        with django_capture_on_commit_callbacks(execute=True):
            posted = client.post(reverse("roster:import"), {"organization": brand_org.pk, "file": upload})
        response = client.get(posted["Location"])
        assert response.status_code == 200
        return _result_section(response.content.decode())

    assert page(staff.email) == page("nobody@example.com")
    assert "already exists" not in page(staff.email)


def test_the_api_job_report_is_the_same_for_a_staff_email_and_a_new_one(
    brand_org, brand_owner, django_capture_on_commit_callbacks
):
    staff = UserFactory(is_staff=True, email="reviewer@kolabo.example")
    client = bearer(make_key(brand_org, brand_owner))

    def report(email):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("api:organization_roster_imports", args=[brand_org.slug]),
                {"file": SimpleUploadedFile("roster.csv", _file(email), content_type="text/csv")},
                format="multipart",
            )
        assert response.status_code == 202
        job = client.get(reverse("api:roster_import", args=[response.json()["id"]])).json()
        return {
            key: job[key] for key in ("status", "total", "created", "updated", "skipped", "written", "errors")
        }

    assert report(staff.email) == report("nobody@example.com")
    staff.refresh_from_db()
    assert not hasattr(staff, "creator_profile") or staff.creator_profile is None
