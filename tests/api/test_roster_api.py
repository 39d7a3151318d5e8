"""Roster import over the API: a background job with a status endpoint and a per-row report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from creators.models import RosterImportJob, SocialAccount
from creators.roster.jobs import roster_import_job_run
from tests.api.conftest import bearer, make_key, make_token
from tests.creators.test_roster import GOOD, csv_bytes, row

pytestmark = pytest.mark.django_db

J = RosterImportJob.Status
BAD_ROW = csv_bytes(
    row(), row(email="budi@example.com", display_name="Budi", handle="budi", followers="many")
)


def upload(client, org, content, **fields):
    return client.post(
        reverse("api:organization_roster_imports", args=[org.slug]),
        {"file": SimpleUploadedFile("roster.csv", content, content_type="text/csv"), **fields},
        format="multipart",
    )


def status_of(client, job_id):
    return client.get(reverse("api:roster_import", args=[job_id]))


def test_an_upload_is_queued_then_imported_after_commit(
    write_key, brand_org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(write_key, brand_org, GOOD)

    assert response.status_code == 202
    job = response.json()
    assert (job["status"], job["organization"], job["file_name"]) == (J.QUEUED, brand_org.slug, "roster.csv")
    assert not SocialAccount.objects.filter(handle="budi.diy").exists()  # nothing yet
    assert len(callbacks) == 1

    callbacks[0]()  # the task runs inline in tests

    done = status_of(write_key, job["id"]).json()
    assert done["status"] == J.DONE
    assert (done["total"], done["created"], done["written"], done["errors"]) == (3, 3, True, [])
    assert SocialAccount.objects.filter(handle="budi.diy").exists()
    assert RosterImportJob.objects.get().content == b""  # the file is not kept after the import


def test_bad_rows_are_reported_by_line_and_column_and_nothing_is_written(
    write_key, brand_org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = upload(write_key, brand_org, BAD_ROW).json()["id"]

    job = status_of(write_key, job_id).json()
    assert job["status"] == J.DONE
    assert job["written"] is False and job["skipped"] == 2
    assert [(e["line"], e["column"]) for e in job["errors"]] == [(3, "followers")]
    assert "whole number" in job["errors"][0]["message"]
    assert not SocialAccount.objects.exists()


def test_valid_rows_only_imports_the_good_ones(write_key, brand_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = upload(write_key, brand_org, BAD_ROW, valid_rows_only="true").json()["id"]

    job = status_of(write_key, job_id).json()
    assert (job["written"], job["created"], job["skipped"]) == (True, 1, 1)


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "empty"), (b"\xff\xfe\x00garbage", "UTF-8"), (b"email,handle\nayu@example.com,ayu\n", "missing")],
)
def test_a_malformed_file_is_refused_at_once_with_the_reason(write_key, brand_org, content, words):
    response = upload(write_key, brand_org, content)

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert words in response.json()["detail"] or words in str(response.json().get("fields"))
    assert not RosterImportJob.objects.exists()


def test_only_owners_managers_and_read_write_keys_import(brand_org, brand_viewer, brand_owner, read_key):
    viewer = bearer(make_key(brand_org, brand_viewer))

    for client in (viewer, read_key):
        assert upload(client, brand_org, GOOD).status_code == 403
    assert not RosterImportJob.objects.exists()


def test_other_organizations_and_their_jobs_are_404(write_key, brand_org, ngo_org, creator):
    ngo_key = bearer(make_key(ngo_org, ngo_org.memberships.get().user))
    job_id = upload(write_key, brand_org, GOOD).json()["id"]

    assert upload(write_key, ngo_org, GOOD).status_code == 404
    assert status_of(ngo_key, job_id).status_code == 404
    assert status_of(bearer(make_token(creator)), job_id).status_code == 404


def test_viewers_do_not_see_import_jobs(write_key, brand_org, brand_viewer):
    job_id = upload(write_key, brand_org, GOOD).json()["id"]

    assert status_of(bearer(make_token(brand_viewer)), job_id).status_code == 404


@pytest.mark.parametrize("extra", [{"status": "done"}, {"organization": "laut-bersih"}, {"created": "5"}])
def test_the_upload_refuses_fields_nobody_may_set(write_key, brand_org, extra):
    response = upload(write_key, brand_org, GOOD, **extra)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == list(extra)


def test_a_job_runs_once(write_key, brand_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = upload(write_key, brand_org, GOOD).json()["id"]

    assert roster_import_job_run(job_id=job_id) == "skipped"


def test_a_manager_who_lost_the_role_before_the_job_ran_gets_a_failed_job(
    brand_org, brand_manager, django_capture_on_commit_callbacks
):
    client = bearer(make_key(brand_org, brand_manager))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job_id = upload(client, brand_org, GOOD).json()["id"]
    brand_org.memberships.filter(user=brand_manager).update(role="viewer")

    callbacks[0]()

    job = RosterImportJob.objects.get(pk=job_id)
    assert job.status == J.FAILED
    assert "owners and managers" in job.error
    assert not SocialAccount.objects.exists()


def test_an_idempotency_key_replays_the_upload(write_key, brand_org):
    first = write_key.post(
        reverse("api:organization_roster_imports", args=[brand_org.slug]),
        {"file": SimpleUploadedFile("roster.csv", GOOD, content_type="text/csv")},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="roster-1",
    )
    again = write_key.post(
        reverse("api:organization_roster_imports", args=[brand_org.slug]),
        {"file": SimpleUploadedFile("roster.csv", GOOD, content_type="text/csv")},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="roster-1",
    )

    assert first.status_code == 202
    assert again.status_code == 202 and again["Idempotent-Replayed"] == "true"
    assert RosterImportJob.objects.count() == 1
