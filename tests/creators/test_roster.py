"""Roster CSV import: parsing, validation report, all-or-nothing vs valid rows only, permissions."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from creators.models import CreatorProfile, RosterImportJob, SocialAccount
from creators.roster.importing import roster_import
from creators.roster.parsing import (
    AUDIENCE_EXAMPLES,
    COLUMNS,
    EXAMPLE,
    KEPT_WHEN_ABSENT,
    RosterFileError,
    roster_parse,
    roster_template_csv,
)
from marketplace.errors import PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent, User

# The roster URLs are mounted at /roster/ by the project; this test module also serves as a
# URLconf so the tests do not depend on that wiring.

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)
YESTERDAY = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


def row(columns=COLUMNS, **overrides) -> str:
    """One CSV line: the template's example creator, without the optional newer columns."""
    values = EXAMPLE | dict.fromkeys(KEPT_WHEN_ABSENT, "") | {"metrics_date": YESTERDAY} | overrides
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values[column] for column in columns)
    return buffer.getvalue().removesuffix("\n")


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


GOOD = csv_bytes(
    row(),
    row(platform="tiktok", handle="ayu.tiktok", followers="8000", avg_likes="500", avg_comments="20"),
    row(email="budi@example.com", display_name="Budi", handle="budi.diy", niches="diy-crafts"),
)


def _errors(result):
    return [(error.line, error.column) for error in result.errors]


# Happy path and re-import


def test_import_creates_unclaimed_users_profiles_and_accounts(brand_org, brand_owner):
    result = roster_import(organization=brand_org, by_user=brand_owner, content=GOOD)

    assert (result.created, result.updated, result.skipped, result.errors) == (3, 0, 0, [])
    ayu = User.objects.get(email="ayu@example.com")
    assert not ayu.has_usable_password()
    assert ayu.emailaddress_set.get().verified is False
    profile = ayu.creator_profile
    assert profile.languages == ["id", "en"]
    assert sorted(profile.niches.values_list("slug", flat=True)) == ["food", "zero-waste"]
    account = SocialAccount.objects.get(platform="instagram", handle="ayu.cooks")
    assert account.profile == profile
    assert str(account.engagement_rate) == "5.00"
    assert account.tier == "micro"
    assert SocialAccount.objects.get(handle="ayu.tiktok").tier == "nano"
    batch = AuditEvent.objects.get(action="roster.imported")
    assert batch.data["created"] == 3 and batch.actor == brand_owner


def test_reimporting_the_same_file_updates_without_duplicates(brand_org, brand_owner):
    roster_import(organization=brand_org, by_user=brand_owner, content=GOOD)
    changed = csv_bytes(row(followers="30000", city="Bandung"))

    result = roster_import(organization=brand_org, by_user=brand_owner, content=changed)
    again = roster_import(organization=brand_org, by_user=brand_owner, content=GOOD)

    assert (result.created, result.updated) == (0, 1)
    assert (again.created, again.updated) == (0, 3)
    assert User.objects.filter(email__in=["ayu@example.com", "budi@example.com"]).count() == 2
    assert CreatorProfile.objects.count() == 2
    assert SocialAccount.objects.count() == 3
    assert SocialAccount.objects.get(handle="ayu.cooks").followers == 25000


def test_another_org_cannot_overwrite_creators_it_did_not_import(brand_org, brand_owner, ngo_org):
    roster_import(organization=brand_org, by_user=brand_owner, content=GOOD)
    ngo_owner = ngo_org.memberships.get().user

    result = roster_import(organization=ngo_org, by_user=ngo_owner, content=csv_bytes(row(city="Bali")))

    # To the NGO the email is no account of its own: the line is refused on the handle, as it would
    # be for a new email naming that handle (the report never tells that the email has an account).
    assert _errors(result) == [(2, "handle")]
    assert CreatorProfile.objects.get(user__email="ayu@example.com").city == "Jakarta"


def test_existing_self_registered_creators_line_reads_like_a_new_one_and_their_handle_is_refused(
    brand_org, brand_owner, creator
):
    content = csv_bytes(row(email=creator.email, handle="own"), row(email="new@example.com", handle="new"))
    content += row(email="other@example.com", handle="ayu.cooks", platform="instagram").encode()

    result = roster_import(organization=brand_org, by_user=brand_owner, content=content)

    # No error on line 2: the report must not tell that creator.email has an account.
    assert _errors(result) == [(4, "handle")]
    assert "already on Kolabo" in result.errors[0].message
    assert not User.objects.filter(email="new@example.com").exists()


# Bad rows


@pytest.mark.parametrize(
    ("overrides", "column", "fragment"),
    [
        ({"followers": "-5"}, "followers", "cannot be negative"),
        ({"avg_likes": "20000", "avg_comments": "9000"}, "avg_likes", "more than 100%"),
        ({"followers": "100", "avg_likes": "1001"}, "avg_likes", "10×"),
        ({"metrics_date": "2999-01-01"}, "metrics_date", "in the future"),
        ({"metrics_date": "31/01/2025"}, "metrics_date", "YYYY-MM-DD"),
        ({"country": "XX"}, "country", "country"),
        ({"languages": "id|klingon"}, "languages", "klingon"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"platform": "myspace"}, "platform", "platform"),
        ({"posts": "many"}, "posts", "whole number"),
        ({"currency": "EUR"}, "currency", "currency"),
    ],
)
def test_bad_row_is_reported_with_line_column_and_nothing_is_written(
    brand_org, brand_owner, overrides, column, fragment
):
    content = csv_bytes(row(email="ok@example.com", handle="ok.handle"), row(**overrides))

    result = roster_import(organization=brand_org, by_user=brand_owner, content=content)

    assert _errors(result) == [(3, column)]
    assert fragment in result.errors[0].message
    assert not result.written and (result.created, result.updated, result.skipped) == (0, 0, 2)
    assert not User.objects.filter(email="ok@example.com").exists()
    assert not SocialAccount.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="roster.").exists()


def test_every_bad_column_of_a_row_is_reported(brand_org, brand_owner):
    content = csv_bytes(row(country="XX", languages="klingon", currency="EUR"))

    result = roster_import(organization=brand_org, by_user=brand_owner, content=content)

    assert _errors(result) == [(2, "country"), (2, "languages"), (2, "currency")]


def test_duplicate_account_in_the_file_is_reported(brand_org, brand_owner):
    result = roster_import(organization=brand_org, by_user=brand_owner, content=csv_bytes(row(), row()))

    assert _errors(result) == [(3, "handle")]
    assert "line 2" in result.errors[0].message


def test_valid_rows_only_writes_the_good_rows(brand_org, brand_owner):
    content = csv_bytes(row(), row(email="bad@example.com", handle="bad", followers="-1"))

    result = roster_import(organization=brand_org, by_user=brand_owner, content=content, valid_rows_only=True)

    assert (result.created, result.updated, result.skipped) == (1, 0, 1)
    assert _errors(result) == [(3, "followers")]
    assert SocialAccount.objects.get().handle == "ayu.cooks"
    assert not User.objects.filter(email="bad@example.com").exists()
    assert AuditEvent.objects.get(action="roster.imported").data["skipped"] == 1


# Bio, causes, pro-bono and audience columns

LEGACY_COLUMNS = tuple(column for column in COLUMNS if column not in KEPT_WHEN_ABSENT)
RICH = {
    "bio": "Home cooking, less waste.\nRecipes for leftovers.",
    "causes": "environment|waste-reduction",
    "open_to_pro_bono": "yes",
    "audience_countries": "ID:82|MY:6.5",
    "audience_languages": "id:85|en:10",
}


def _import(*rows: str, brand_org, brand_owner, header: str = HEADER):
    content = ("\n".join([header, *rows]) + "\n").encode()
    return roster_import(organization=brand_org, by_user=brand_owner, content=content)


def _causes(email="ayu@example.com") -> list[str]:
    return sorted(CreatorProfile.objects.get(user__email=email).causes.values_list("slug", flat=True))


def test_bio_causes_pro_bono_and_audience_are_saved(brand_org, brand_owner):
    result = _import(row(**RICH), brand_org=brand_org, brand_owner=brand_owner)

    assert (result.created, result.errors) == (1, [])
    profile = CreatorProfile.objects.get(user__email="ayu@example.com")
    assert profile.bio == RICH["bio"]
    assert profile.open_to_pro_bono is True
    assert _causes() == ["environment", "waste-reduction"]
    account = SocialAccount.objects.get()
    assert account.audience_countries == [{"code": "ID", "pct": 82.0}, {"code": "MY", "pct": 6.5}]
    assert account.audience_languages == [{"code": "id", "pct": 85.0}, {"code": "en", "pct": 10.0}]


def test_new_columns_are_optional_and_empty_means_none(brand_org, brand_owner):
    result = _import(
        row(columns=LEGACY_COLUMNS),
        brand_org=brand_org,
        brand_owner=brand_owner,
        header=",".join(LEGACY_COLUMNS),
    )
    empty = _import(
        row(email="budi@example.com", handle="budi"), brand_org=brand_org, brand_owner=brand_owner
    )

    assert (result.created, result.errors, empty.created, empty.errors) == (1, [], 1, [])
    for email in ("ayu@example.com", "budi@example.com"):
        profile = CreatorProfile.objects.get(user__email=email)
        assert (profile.bio, profile.open_to_pro_bono, _causes(email)) == ("", False, [])
        account = profile.social_accounts.get()
        assert (account.audience_countries, account.audience_languages) == ([], [])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        ("YES", True),
        ("true", True),
        ("1", True),
        ("ya", True),
        (" Ya ", True),
        ("no", False),
        ("False", False),
        ("0", False),
        ("tidak", False),
        ("", False),
    ],
)
def test_pro_bono_accepts_yes_no_in_english_indonesian_and_digits(brand_org, brand_owner, value, expected):
    result = _import(row(open_to_pro_bono=value), brand_org=brand_org, brand_owner=brand_owner)

    assert result.errors == []
    assert CreatorProfile.objects.get().open_to_pro_bono is expected


@pytest.mark.parametrize(
    ("overrides", "column", "fragments"),
    [
        (
            {"causes": "environment|save-the-whales"},
            "causes",
            ["“save-the-whales” is not a cause", "cause slugs listed on this page"],
        ),
        ({"open_to_pro_bono": "maybe"}, "open_to_pro_bono", ["“maybe” is not yes or no", "ya/tidak"]),
        ({"bio": "x" * 1501}, "bio", ["1,501 characters", "1,500 or fewer"]),
        ({"audience_countries": "ID-82"}, "audience_countries", ["“ID-82” is not a code and a percentage"]),
        ({"audience_countries": "ID:82|MY"}, "audience_countries", ["“MY” is not a code and a percentage"]),
        ({"audience_countries": "XX:10"}, "audience_countries", ["“XX” is not a country code"]),
        (
            {"audience_countries": "ID:120"},
            "audience_countries",
            ["for ID must be a number between 0 and 100"],
        ),
        ({"audience_countries": "ID:-1"}, "audience_countries", ["between 0 and 100"]),
        ({"audience_countries": "ID:lots"}, "audience_countries", ["between 0 and 100"]),
        ({"audience_countries": "ID:60|MY:50"}, "audience_countries", ["add up to 110", "more than 100%"]),
        ({"audience_countries": "ID:50|id:10"}, "audience_countries", ["ID is listed twice"]),
        ({"audience_languages": "klingon:10"}, "audience_languages", ["“klingon” is not a language code"]),
        ({"audience_languages": "id:70|en:40"}, "audience_languages", ["more than 100%"]),
    ],
)
def test_bad_new_column_is_reported_with_line_column_and_message(
    brand_org, brand_owner, overrides, column, fragments
):
    result = _import(
        row(email="ok@example.com", handle="ok.handle"),
        row(**overrides),
        brand_org=brand_org,
        brand_owner=brand_owner,
    )

    assert _errors(result) == [(3, column)]
    message = result.errors[0].message
    assert all(fragment in message for fragment in fragments), message
    if column in AUDIENCE_EXAMPLES:  # every audience error also shows the expected format
        assert f"for example {AUDIENCE_EXAMPLES[column]}" in message
    assert not result.written and not SocialAccount.objects.exists()


def test_audience_accepts_percent_signs_and_decimal_commas(brand_org, brand_owner):
    result = _import(row(audience_countries="ID: 82% | MY:6,5"), brand_org=brand_org, brand_owner=brand_owner)

    assert result.errors == []
    assert SocialAccount.objects.get().audience_countries == [
        {"code": "ID", "pct": 82.0},
        {"code": "MY", "pct": 6.5},
    ]


def test_reimport_replaces_causes_and_audience(brand_org, brand_owner):
    _import(row(**RICH), brand_org=brand_org, brand_owner=brand_owner)

    changed = _import(
        row(
            **RICH | {"causes": "animal-welfare", "audience_countries": "MY:40", "open_to_pro_bono": "tidak"}
        ),
        brand_org=brand_org,
        brand_owner=brand_owner,
    )
    assert (changed.created, changed.updated) == (0, 1)
    assert _causes() == ["animal-welfare"]
    assert SocialAccount.objects.get().audience_countries == [{"code": "MY", "pct": 40.0}]
    assert CreatorProfile.objects.get().open_to_pro_bono is False

    cleared = _import(
        row(**RICH | {"causes": "", "audience_countries": ""}), brand_org=brand_org, brand_owner=brand_owner
    )
    assert (cleared.created, cleared.updated) == (0, 1)
    assert _causes() == []
    assert SocialAccount.objects.get().audience_countries == []
    assert (CreatorProfile.objects.count(), SocialAccount.objects.count()) == (1, 1)


def test_reimport_of_an_older_file_keeps_what_the_new_columns_saved(brand_org, brand_owner):
    _import(row(**RICH), brand_org=brand_org, brand_owner=brand_owner)

    result = _import(
        row(columns=LEGACY_COLUMNS, followers="30000"),
        brand_org=brand_org,
        brand_owner=brand_owner,
        header=",".join(LEGACY_COLUMNS),
    )

    assert (result.created, result.updated, result.errors) == (0, 1, [])
    profile = CreatorProfile.objects.get()
    assert (profile.bio, profile.open_to_pro_bono, _causes()) == (
        RICH["bio"],
        True,
        ["environment", "waste-reduction"],
    )
    account = SocialAccount.objects.get()
    assert account.followers == 30000
    assert account.audience_countries == [{"code": "ID", "pct": 82.0}, {"code": "MY", "pct": 6.5}]
    assert account.audience_languages == [{"code": "id", "pct": 85.0}, {"code": "en", "pct": 10.0}]


def test_a_bio_with_line_breaks_does_not_shift_the_line_numbers(brand_org, brand_owner):
    result = _import(
        row(bio="one\ntwo\nthree"),
        row(email="bad@example.com", handle="bad", followers="-5"),
        brand_org=brand_org,
        brand_owner=brand_owner,
    )

    assert _errors(result) == [(3, "followers")]


def test_creator_details_that_differ_between_lines_are_named(brand_org, brand_owner):
    result = _import(
        row(**RICH),
        row(**RICH | {"platform": "tiktok", "handle": "ayu.tiktok", "bio": "Other", "causes": "poverty"}),
        brand_org=brand_org,
        brand_owner=brand_owner,
    )

    assert _errors(result) == [(3, "email")]
    assert "line 2" in result.errors[0].message and "causes, bio" in result.errors[0].message


def test_importing_the_template_creates_its_example_creator(brand_org, brand_owner):
    result = roster_import(
        organization=brand_org, by_user=brand_owner, content=roster_template_csv().encode()
    )

    assert (result.created, result.errors) == (1, [])
    assert _causes() == ["environment", "waste-reduction"]


# Speed: lookups and inserts are batched, so the query count does not grow with the file


def _queries(content: bytes, brand_org, brand_owner) -> int:
    with CaptureQueriesContext(connection) as queries:
        result = roster_import(organization=brand_org, by_user=brand_owner, content=content)
    assert result.errors == []
    return len(queries)


def _roster(creators: int, prefix: str) -> bytes:
    return csv_bytes(
        *[
            row(
                email=f"{prefix}{n}@example.com",
                display_name="Same Name",
                handle=f"{prefix}{n}.{platform}",
                platform=platform,
                **RICH,
            )
            for n in range(creators)
            for platform in ("instagram", "tiktok")
        ]
    )


def test_query_count_does_not_grow_with_the_number_of_rows(brand_org, brand_owner):
    roster_import(organization=brand_org, by_user=brand_owner, content=_roster(1, "warm"))  # caches
    small, large = _roster(2, "small"), _roster(20, "large")

    assert _queries(small, brand_org, brand_owner) == _queries(large, brand_org, brand_owner)
    # Importing the same files again reads in as many queries and writes only the batch audit row.
    assert _queries(small, brand_org, brand_owner) == _queries(large, brand_org, brand_owner)
    assert CreatorProfile.objects.count() == 23 and SocialAccount.objects.count() == 46


def test_profile_slugs_stay_unique_within_the_file_and_against_existing_ones(brand_org, brand_owner, creator):
    content = csv_bytes(
        *[row(email=f"c{n}@example.com", handle=f"c{n}") for n in range(3)],
        row(email="x@example.com", handle="x", display_name="admin"),
    )

    roster_import(organization=brand_org, by_user=brand_owner, content=content)

    slugs = sorted(CreatorProfile.objects.values_list("slug", flat=True))
    assert slugs == ["admin-creator", "ayu-lestari", "ayu-lestari-2", "ayu-lestari-3", "ayu-lestari-4"]


def test_a_slug_taken_meanwhile_rolls_the_import_back(brand_org, brand_owner, creator, monkeypatch):
    monkeypatch.setattr("creators.roster.importing._free_slugs", lambda names: ["ayu-lestari"] * len(names))

    with pytest.raises(ValidationFailed, match="Import the file again"):
        roster_import(
            organization=brand_org,
            by_user=brand_owner,
            content=csv_bytes(row(email="new@example.com", handle="new")),
        )

    assert not User.objects.filter(email="new@example.com").exists()


# Malformed files


def test_wrong_encoding_is_refused():
    content = ("\n".join([HEADER, row(display_name="Dédé")]) + "\n").encode("latin-1")
    with pytest.raises(RosterFileError, match="Save the file as CSV UTF-8"):
        roster_parse(content)


def test_utf8_with_bom_is_accepted():
    rows = roster_parse(b"\xef\xbb\xbf" + csv_bytes(row(display_name="Dédé")))
    assert rows[0].line == 2 and rows[0].values["display_name"] == "Dédé"


def test_missing_header_columns_are_named():
    content = b"email,display_name,country\nayu@example.com,Ayu,ID\n"
    with pytest.raises(RosterFileError, match="missing these columns: platform, handle"):
        roster_parse(content)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty"),
        (HEADER.encode() + b"\n", "no creators"),
        (b"x" * (50 * 1024 * 1024 + 1), "larger than 50 MB"),
        (
            b"platform,handle\n" + b"".join(b"instagram,h%d\n" % n for n in range(100_001)),
            "more than 100,000",
        ),
    ],
)
def test_malformed_files_are_refused(content, fragment):
    with pytest.raises(RosterFileError, match=fragment):
        roster_parse(content)


def test_template_csv_parses():
    assert roster_parse(roster_template_csv().encode())[0].values["handle"] == "ayu.cooks"


# Permissions


def test_viewer_cannot_import_through_the_service(brand_org, brand_viewer):
    with pytest.raises(PermissionDeniedError):
        roster_import(organization=brand_org, by_user=brand_viewer, content=GOOD)


def test_manager_imports_through_the_page(
    client, brand_org, brand_manager, django_capture_on_commit_callbacks
):
    client.force_login(brand_manager)
    upload = SimpleUploadedFile("roster.csv", GOOD, content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roster:import"), {"organization": brand_org.pk, "file": upload})
    job = RosterImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("roster:job", args=[job.pk])
    page = client.get(response["Location"])

    assert page.status_code == 200
    assert "3 created, 0 updated, 0 skipped" in page.content.decode()
    assert SocialAccount.objects.count() == 3


def test_page_shows_the_report_and_writes_nothing(
    client, brand_org, brand_owner, django_capture_on_commit_callbacks
):
    client.force_login(brand_owner)
    upload = SimpleUploadedFile("roster.csv", csv_bytes(row(followers="-5")), content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(reverse("roster:import"), {"organization": brand_org.pk, "file": upload})
    response = client.get(posted["Location"])

    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in body and "cannot be negative" in body and "followers" in body
    assert not SocialAccount.objects.exists()


def test_page_refuses_a_latin1_file_with_a_clear_message(client, brand_org, brand_owner):
    client.force_login(brand_owner)
    upload = SimpleUploadedFile("roster.csv", "email\nDédé\n".encode("latin-1"), content_type="text/csv")

    response = client.post(reverse("roster:import"), {"organization": brand_org.pk, "file": upload})

    assert response.status_code == 400
    assert "Save the file as CSV UTF-8" in response.content.decode()


def test_page_documents_columns_and_serves_the_template(client, brand_owner, brand_org):
    client.force_login(brand_owner)
    page = client.get(reverse("roster:import"))
    template = client.get(reverse("roster:template"))

    body = page.content.decode()
    assert page.status_code == 200
    assert all(f"<code>{column}</code>" in body for column in COLUMNS)
    assert "<code>waste-reduction</code>" in body and "<code>jv</code>" in body  # cause slugs, language codes
    assert "ID:82|MY:6.5" in body
    assert template.status_code == 200 and template.content.decode().startswith(HEADER)


def test_manager_cannot_import_into_another_org(client, brand_org, brand_manager, ngo_org):
    client.force_login(brand_manager)
    upload = SimpleUploadedFile("roster.csv", GOOD, content_type="text/csv")

    response = client.post(reverse("roster:import"), {"organization": ngo_org.pk, "file": upload})

    assert response.status_code == 400
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize("who", ["brand_viewer", "outsider", "creator"])
def test_viewers_outsiders_and_creators_get_404(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("roster:import")).status_code == 404
    assert client.get(reverse("roster:template")).status_code == 404


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("roster:import"))
    assert response.status_code == 302 and "/login/" in response.url
