"""CSV upload of conversions: the row-level report, good rows kept beside bad ones, the file checks,
the pages (upload, report, sample, list) and who may use them."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from marketplace.errors import PermissionDeniedError
from tests.tracking import conversion_helpers
from tests.tracking.conversion_helpers import click_on
from tracking import conversion_import
from tracking.conversion_import import ConversionFileError, conversion_import_run
from tracking.conversions import conversion_record
from tracking.models import Conversion, ConversionImport

# Fixtures shared by the conversion tests.
tracked_campaign, first, second, secret = (
    conversion_helpers.tracked_campaign,
    conversion_helpers.first,
    conversion_helpers.second,
    conversion_helpers.secret,
)


def run(campaign, user, text: str, name="conversions.csv"):
    return conversion_import_run(campaign=campaign, by_user=user, file_name=name, content=text.encode())


def test_a_file_with_bad_rows_records_the_good_rows_and_reports_every_problem(
    tracked_campaign, first, brand_owner
):
    conversion_record(
        campaign=tracked_campaign,
        goal_kind="signup",
        external_id="OLD-1",
        occurred_at=timezone.now(),
        source="postback",
    )
    old_click = click_on(first, timezone.now() - timedelta(days=40))
    text = "\n".join(
        [
            "Goal,Conversion_ID,Occurred_At,Amount,Click_ID,PROMO_CODE",
            f"signup,S-1,2025-03-01,,,{first.promo_code.lower()}",
            "donation,D-1,2025-03-01T10:00:00+07:00,,,",
            "donation,D-2,2025-03-01,-5,,",
            "pledge,P-1,2025-03-01,,,",
            "signup,S-2,yesterday,,,",
            "signup,S-3,,,,NOPE99",
            "signup,S-1,,,,",
            "signup,OLD-1,,,,",
            "donation,D-3,2025-03-02,250000,,",
            f"signup,S-4,,,{old_click.token},",
            "",
        ]
    )

    report = run(tracked_campaign, brand_owner, text)

    assert report.problems == [
        {
            "line": 3,
            "column": "amount",
            "message": "The amount is missing: every donation needs its amount, for example 150000.",
            "outcome": "refused",
        },
        {"line": 4, "column": "amount", "message": "The amount cannot be negative.", "outcome": "refused"},
        {
            "line": 5,
            "column": "goal",
            "message": "“pledge” is not one of this campaign's goals. It counts: signup, donation.",
            "outcome": "refused",
        },
        {
            "line": 6,
            "column": "occurred_at",
            "message": "“yesterday” is not a date. Write it like 2025-03-01 or 2025-03-01T14:30:00+07:00.",
            "outcome": "refused",
        },
        {
            "line": 7,
            "column": "promo_code",
            "message": "Unknown promo code “NOPE99” for this campaign. Correct it and upload the row again, "
            "or leave promo_code empty to record the conversion without a creator.",
            "outcome": "refused",
        },
        {
            "line": 8,
            "column": "conversion_id",
            "message": "Conversion id “S-1” is already on line 2 of this file: counted once.",
            "outcome": "duplicate",
        },
        {
            "line": 9,
            "column": "conversion_id",
            "message": "Conversion id “OLD-1” was already recorded: counted once, not added again.",
            "outcome": "duplicate",
        },
        {
            "line": 11,
            "column": "click_id",
            "message": "Recorded without a creator: The click or code is older than the campaign's attribution window.",
            "outcome": "unattributed",
        },
    ]
    assert (report.rows, report.recorded, report.duplicates, report.unattributed) == (10, 3, 2, 2)
    recorded = dict(Conversion.objects.filter(source="csv").values_list("external_id", "collaboration_id"))
    assert recorded == {"S-1": first.collaboration_id, "D-3": None, "S-4": None}
    assert Conversion.objects.get(external_id="D-3").amount == 250000


def test_uploading_the_same_file_again_adds_nothing(tracked_campaign, brand_owner):
    text = "goal,conversion_id\nsignup,A\nsignup,B\n"
    run(tracked_campaign, brand_owner, text)

    again = run(tracked_campaign, brand_owner, text)

    assert (again.recorded, again.duplicates) == (0, 2)
    assert Conversion.objects.count() == 2


def test_a_bad_first_row_does_not_shadow_a_good_row_with_the_same_id(tracked_campaign, brand_owner):
    report = run(
        tracked_campaign, brand_owner, "goal,conversion_id,amount\ndonation,D-1,\ndonation,D-1,100\n"
    )

    assert [problem["line"] for problem in report.problems] == [2]
    assert Conversion.objects.get().amount == 100


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"goal,amount\nsignup,\n", "missing these columns: conversion_id"),
        (b"goal,conversion_id\n", "no conversions"),
        (b"", "empty"),
        ("goal,conversion_id\nsignup,é\n".encode("utf-16"), "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_records_nothing(tracked_campaign, brand_owner, content, words):
    with pytest.raises(ConversionFileError) as refused:
        conversion_import_run(
            campaign=tracked_campaign, by_user=brand_owner, file_name="x.csv", content=content
        )

    assert words in str(refused.value.message)
    assert not ConversionImport.objects.exists() and not Conversion.objects.exists()


def test_a_file_over_the_row_limit_is_refused(tracked_campaign, brand_owner, monkeypatch):
    monkeypatch.setattr(conversion_import, "MAX_ROWS", 3)

    with pytest.raises(ConversionFileError) as refused:
        run(
            tracked_campaign, brand_owner, "goal,conversion_id\n" + "".join(f"signup,{n}\n" for n in range(4))
        )

    assert "more than 3 rows" in str(refused.value.message)
    assert not Conversion.objects.exists()


def test_a_viewer_cannot_import(tracked_campaign, brand_viewer):
    with pytest.raises(PermissionDeniedError):
        run(tracked_campaign, brand_viewer, "goal,conversion_id\nsignup,A\n")


# Pages


def test_the_upload_page_records_and_shows_the_report(client, tracked_campaign, brand_manager):
    client.force_login(brand_manager)
    upload = SimpleUploadedFile(
        "march.csv", b"goal,conversion_id,amount\nsignup,A,\ndonation,B,-1\n", "text/csv"
    )

    response = client.post(
        reverse("tracking:conversion_upload", args=[tracked_campaign.pk]), {"file": upload}
    )

    report = ConversionImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "tracking:conversion_import_report", args=[tracked_campaign.pk, report.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "march.csv" in page and "The amount cannot be negative." in page
    assert re.search(r'data-count="refused"><strong>1</strong>', page)
    assert report.uploaded_by == brand_manager


def test_an_unreadable_upload_says_why_on_the_form(client, tracked_campaign, brand_manager):
    client.force_login(brand_manager)
    upload = SimpleUploadedFile("bad.csv", b"goal\nsignup\n", "text/csv")

    response = client.post(
        reverse("tracking:conversion_upload", args=[tracked_campaign.pk]), {"file": upload}
    )

    assert response.status_code == 400
    assert "missing these columns: conversion_id" in response.content.decode()


def test_a_viewer_cannot_open_the_upload_page_and_another_org_gets_404(
    client, tracked_campaign, brand_owner, brand_viewer, ngo_manager
):
    report = run(tracked_campaign, brand_owner, "goal,conversion_id\nsignup,A\n")
    client.force_login(brand_viewer)
    assert client.get(reverse("tracking:conversion_upload", args=[tracked_campaign.pk])).status_code == 403
    assert (
        client.get(
            reverse("tracking:conversion_import_report", args=[tracked_campaign.pk, report.pk])
        ).status_code
        == 200
    )

    client.force_login(ngo_manager)
    assert (
        client.get(
            reverse("tracking:conversion_import_report", args=[tracked_campaign.pk, report.pk])
        ).status_code
        == 404
    )
    assert client.get(reverse("tracking:conversion_sample", args=[tracked_campaign.pk])).status_code == 404


def test_the_sample_csv_can_be_uploaded_as_it_is(client, tracked_campaign, brand_manager):
    client.force_login(brand_manager)

    response = client.get(reverse("tracking:conversion_sample", args=[tracked_campaign.pk]))

    assert response["Content-Type"].startswith("text/csv")
    assert (
        response.content.decode().splitlines()[0]
        == "goal,conversion_id,occurred_at,amount,click_id,promo_code"
    )


def test_the_conversion_list_filters_and_totals_per_goal(
    client, tracked_campaign, first, brand_viewer, brand_owner
):
    run(
        tracked_campaign,
        brand_owner,
        f"goal,conversion_id,amount,promo_code\nsignup,S-1,,{first.promo_code}\nsignup,S-2,,\n"
        "donation,D-1,1000,\ndonation,D-2,2500.50,\n",
    )
    client.force_login(brand_viewer)
    url = reverse("tracking:conversion_list", args=[tracked_campaign.pk])

    page = client.get(url).content.decode()
    attributed = client.get(url, {"attributed": "yes"}).content.decode()
    donations = client.get(url, {"goal": "donation"}).content.decode()

    assert re.search(r'data-goal="signup">\s*<td>Sign-up</td>\s*<td>2</td>\s*<td>1</td>', page)
    assert re.search(
        r'data-goal="donation">\s*<td>Gift</td>\s*<td>2</td>\s*<td>0</td>\s*<td>Rp 3.501</td>', page
    )
    assert "S-1" in attributed and "S-2" not in attributed and "D-1" not in attributed
    assert "D-1" in donations and "D-2" in donations and "S-1" not in donations
