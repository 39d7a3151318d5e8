"""Roster CSV import: parsing, validation report, all-or-nothing vs valid rows only, permissions."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from creators.models import CreatorProfile, SocialAccount
from creators.roster import COLUMNS, RosterFileError, roster_import, roster_parse, roster_template_csv
from marketplace.errors import PermissionDeniedError
from marketplace.models import AuditEvent, User

# The roster URLs are mounted at /roster/ by the project; this test module also serves as a
# URLconf so the tests do not depend on that wiring.

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)
YESTERDAY = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


def row(**overrides) -> str:
    values = {
        "email": "ayu@example.com",
        "display_name": "Ayu Lestari",
        "country": "ID",
        "city": "Jakarta",
        "languages": "id|en",
        "niches": "food|zero-waste",
        "platform": "instagram",
        "handle": "ayu.cooks",
        "followers": "25000",
        "following": "400",
        "posts": "320",
        "avg_likes": "1100",
        "avg_comments": "150",
        "avg_views": "0",
        "metrics_date": YESTERDAY,
        "currency": "IDR",
    } | overrides
    return ",".join(values[column] for column in COLUMNS)


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

    assert _errors(result) == [(2, "email")]
    assert CreatorProfile.objects.get(user__email="ayu@example.com").city == "Jakarta"


def test_existing_self_registered_creator_and_their_handle_are_refused(brand_org, brand_owner, creator):
    content = csv_bytes(row(email=creator.email, handle="own"), row(email="new@example.com", handle="new"))
    content += row(email="other@example.com", handle="ayu.cooks", platform="instagram").encode()

    result = roster_import(organization=brand_org, by_user=brand_owner, content=content)

    assert "already exists" in result.errors[0].message
    assert _errors(result) == [(2, "email"), (4, "handle")]
    assert "already on Kolabo" in result.errors[1].message
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
        ({"niches": "food|underwater-basket"}, "niches", "“underwater-basket” is not a niche"),
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
    content = csv_bytes(row(country="XX", niches="nope", currency="EUR"))

    result = roster_import(organization=brand_org, by_user=brand_owner, content=content)

    assert _errors(result) == [(2, "country"), (2, "niches"), (2, "currency")]


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
    with pytest.raises(RosterFileError, match="languages, niches, platform, handle, followers"):
        roster_parse(content)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty"),
        (HEADER.encode() + b"\n", "no creators"),
        (b"x" * (5 * 1024 * 1024 + 1), "Split the file"),
        (csv_bytes(*[row(handle=f"h{n}") for n in range(5001)]), "Split the file"),
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


def test_manager_imports_through_the_page(client, brand_org, brand_manager):
    client.force_login(brand_manager)
    upload = SimpleUploadedFile("roster.csv", GOOD, content_type="text/csv")

    response = client.post(reverse("roster:import"), {"organization": brand_org.pk, "file": upload})

    assert response.status_code == 200
    assert "3 created, 0 updated, 0 skipped" in response.content.decode()
    assert SocialAccount.objects.count() == 3


def test_page_shows_the_report_and_writes_nothing(client, brand_org, brand_owner):
    client.force_login(brand_owner)
    upload = SimpleUploadedFile("roster.csv", csv_bytes(row(followers="-5")), content_type="text/csv")

    response = client.post(reverse("roster:import"), {"organization": brand_org.pk, "file": upload})

    body = response.content.decode()
    assert response.status_code == 400
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

    assert page.status_code == 200 and "metrics_date" in page.content.decode()
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
