"""Roster CSV import for agencies and NGOs: creators and their social accounts in one file.

Three stages, so each can be read and tested on its own:
1. `roster_parse` (pure): bytes → rows of raw strings, or a `RosterFileError` for a malformed file.
2. `_validate_rows`: each row through the same cleaners the creator forms use (creators/services.py),
   plus the checks only an import needs (duplicates in the file, accounts owned by someone else).
3. `roster_import` (the service): one transaction; all-or-nothing unless `valid_rows_only`.

Re-importing the same file updates: the user is keyed by email, the account by platform + handle.
The causes and audience columns replace what an earlier import saved; a file without one of the
columns added later (KEPT_WHEN_ABSENT) leaves that value as it is.
An organization may only update creators its own roster import created and who have not claimed
their account yet (no usable password, never logged in): once a creator claims the account, the
creator owns it.

The report never tells whether an email has a Kolabo account (anyone's, staff included): a line
whose email belongs to an account the organization does not manage reads exactly like a line that
was imported (counted as created), changes nothing, and the account's owner is told by email that
the organization listed them. Its handle is checked as for a new creator, so the pair cannot tell
either.
"""

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from brands.models import Organization
from brands.permissions import require_org_manager
from creators import tasks
from marketplace.errors import PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent, User
from marketplace.queueing import enqueue
from marketplace.services import audit_record

from .models import Cause, CreatorProfile, Niche, RosterImportJob, SocialAccount
from .services import (
    COUNT_FIELDS,
    RESERVED_SLUGS,
    clean_profile_fields,
    clean_social_fields,
    duplicate_handle_message,
)
from .signals import announce_matching_change

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
LIST_SEPARATOR = "|"
COLUMNS = (
    "email",
    "display_name",
    "country",
    "city",
    "languages",
    "niches",
    "causes",
    "open_to_pro_bono",
    "platform",
    "handle",
    "followers",
    "following",
    "posts",
    "avg_likes",
    "avg_comments",
    "avg_views",
    "audience_countries",
    "audience_languages",
    "metrics_date",
    "currency",
    "bio",
)
# Columns added after the first template: files made from the older one must keep working, and
# importing such a file again must not wipe what the newer columns saved.
KEPT_WHEN_ABSENT = frozenset(
    {"causes", "open_to_pro_bono", "audience_countries", "audience_languages", "bio"}
)
# Columns that may be missing from the header; an empty value means 0, "", none or no.
OPTIONAL_COLUMNS = frozenset({"city", "following", "posts", "avg_likes", "avg_comments", "avg_views"}) | (
    KEPT_WHEN_ABSENT
)
REQUIRED_COLUMNS = tuple(column for column in COLUMNS if column not in OPTIONAL_COLUMNS)
AUDIENCE_COLUMNS = ("audience_countries", "audience_languages")
AUDIENCE_EXAMPLES = {"audience_countries": "ID:82|MY:6.5", "audience_languages": "id:85|en:10"}
YES_NO = {
    "": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "ya": True,
    "tidak": False,
}
EXAMPLE = {
    "email": "ayu@example.com",
    "display_name": "Ayu Lestari",
    "country": "ID",
    "city": "Jakarta",
    "languages": "id|en",
    "niches": "food|zero-waste",
    "causes": "waste-reduction|environment",
    "open_to_pro_bono": "yes",
    "platform": "instagram",
    "handle": "ayu.cooks",
    "followers": "25000",
    "following": "400",
    "posts": "320",
    "avg_likes": "1100",
    "avg_comments": "150",
    "avg_views": "0",
    "audience_countries": AUDIENCE_EXAMPLES["audience_countries"],
    "audience_languages": AUDIENCE_EXAMPLES["audience_languages"],
    "metrics_date": "2025-01-31",
    "currency": "IDR",
    "bio": "Home cooking from Jakarta with less waste: recipes for leftovers and market finds.",
}
CREATED_ACTION = "roster.creator_created"
# An import named an account the organization does not manage (see _listed_write).
LISTED_ACTION = "roster.creator_listed"


class RosterFileError(ValidationFailed):
    """The file as a whole cannot be read; no row was looked at."""


@dataclass(frozen=True)
class RosterRow:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


@dataclass
class RosterResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)


def roster_template_csv() -> str:
    """The header and one example row, for the downloadable template."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE[column] for column in COLUMNS)
    return buffer.getvalue()


# --- 1. Parsing (pure) -------------------------------------------------------------------------


def roster_parse(content: bytes) -> list[RosterRow]:
    """Decode and split the file.

    Line numbers are the rows a spreadsheet shows, the header being line 1: a quoted cell with line
    breaks (a long bio) stays on its own line and does not shift the numbers of the lines after it.
    """
    if len(content) > MAX_FILE_BYTES:
        raise RosterFileError(
            _("The file is larger than 5 MB. Split the file into smaller files and import each one.")
        )
    try:
        # utf-8-sig also reads plain UTF-8 and drops the byte-order mark Excel writes.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterFileError(
            _("The file is not UTF-8 text. Save the file as CSV UTF-8 (Comma delimited) and upload it again.")
        ) from exc
    if not text.strip():
        raise RosterFileError(_("The file is empty. Download the template and fill it in."))
    if "\x00" in text:
        raise RosterFileError(_("This is not a CSV file. Save the file as CSV UTF-8 and upload it again."))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [column.strip().lower() for column in next(reader)]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise RosterFileError(
                _(
                    "The header row is missing these columns: %(columns)s. Download the template to see them all."
                )
                % {"columns": ", ".join(missing)}
            )
        # A column left out of the header has no key at all when it is one of KEPT_WHEN_ABSENT.
        columns = [column for column in COLUMNS if column in header or column not in KEPT_WHEN_ABSENT]
        rows: list[RosterRow] = []
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, often left at the end by spreadsheets
            if len(rows) >= MAX_ROWS:
                raise RosterFileError(
                    _("The file has more than %(max)s rows. Split the file and import each part.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
            values = dict.fromkeys(columns, "")
            for column, cell in zip(header, cells, strict=False):
                if column in values:
                    values[column] = cell.strip()
            if len(cells) > len(header):
                values["__extra__"] = "yes"
            rows.append(RosterRow(line=line, values=values))
    except csv.Error as exc:
        raise RosterFileError(
            _("Line %(line)s cannot be read as CSV (%(detail)s). Check the quotes on that line.")
            % {"line": reader.line_num, "detail": str(exc)}
        ) from exc
    if not rows:
        raise RosterFileError(_("The file has a header but no creators. Add one row per social account."))
    return rows


# --- 2. Validation -----------------------------------------------------------------------------


@dataclass
class _CleanRow:
    line: int
    email: str
    profile: dict[str, Any]
    social: dict[str, Any]


def _whole_number(value: str, column: str, errors: list[tuple[str, str]]) -> int | None:
    if value == "" and column != "followers":
        return 0
    try:
        return int(value)
    except ValueError:
        errors.append((column, _("“%(value)s” is not a whole number, for example 5200.") % {"value": value}))
        return None


def _terms(value: str, by_slug: dict, column: str, errors: list[tuple[str, str]]) -> list | None:
    """Niche or cause slugs separated by | → the terms; None after reporting an unknown slug."""
    slugs = _split(value)
    unknown = [slug for slug in slugs if slug.lower() not in by_slug]
    if unknown:
        if column == "niches":
            message = _("“%(slug)s” is not a niche we know. Use the niche slugs listed on this page.")
        else:
            message = _("“%(slug)s” is not a cause we know. Use the cause slugs listed on this page.")
        errors.append((column, message % {"slug": unknown[0]}))
        return None
    return [by_slug[slug.lower()] for slug in slugs]


def _audience_format(column: str) -> str:
    return _("Write code:percentage pairs separated by |, for example %(example)s.") % {
        "example": AUDIENCE_EXAMPLES[column]
    }


def _audience_pairs(value: str, column: str, errors: list[tuple[str, str]]) -> list[dict[str, str]] | None:
    """Read "ID:82|MY:6.5" as [{"code": "ID", "pct": "82"}, ...]; clean_social_fields checks the rest."""
    entries = []
    for part in _split(value):
        code, colon, pct = (piece.strip() for piece in part.partition(":"))
        if not (code and colon and pct):
            errors.append(
                (
                    column,
                    _("“%(part)s” is not a code and a percentage.") % {"part": part}
                    + " "
                    + _audience_format(column),
                )
            )
            return None
        # Read "6,5" and "6.5%" as the social-account form does.
        entries.append({"code": code, "pct": pct.removesuffix("%").strip().replace(",", ".")})
    return entries


def _clean_one(
    row: RosterRow, niches_by_slug: dict[str, Niche], causes_by_slug: dict[str, Cause]
) -> _CleanRow | list[tuple[str, str]]:
    """Clean one row; a list of (column, message) for everything wrong with it."""
    values = row.values
    errors: list[tuple[str, str]] = []
    if "__extra__" in values:
        errors.append(("", _("This line has more cells than the header row has columns.")))

    email = values["email"].lower()
    try:
        validate_email(email)
    except ValidationError:
        errors.append(("email", _("Enter a valid email address, for example ayu@example.com.")))

    profile: dict[str, Any] = {}
    raw_profile: dict[str, Any] = {
        "display_name": values["display_name"],
        "country": values["country"],
        "city": values["city"],
        "languages": _split(values["languages"]),
        "currency": values["currency"],
    }
    niches = _terms(values["niches"], niches_by_slug, "niches", errors)
    if niches is not None:
        raw_profile["niches"] = niches
    if "causes" in values:
        causes = _terms(values["causes"], causes_by_slug, "causes", errors)
        if causes is not None:
            raw_profile["causes"] = causes
    if "open_to_pro_bono" in values:
        answer = YES_NO.get(values["open_to_pro_bono"].lower())
        if answer is None:
            errors.append(
                (
                    "open_to_pro_bono",
                    _(
                        "“%(value)s” is not yes or no. Enter yes or no (or ya/tidak, true/false, 1/0); empty means no."
                    )
                    % {"value": values["open_to_pro_bono"]},
                )
            )
        else:
            raw_profile["open_to_pro_bono"] = answer
    if "bio" in values:
        raw_profile["bio"] = values["bio"]
    # One field at a time, so every bad column of the row is reported, not just the first.
    for key, value in raw_profile.items():
        try:
            profile.update(clean_profile_fields({key: value}))
        except ValidationFailed as error:
            errors.append((error.field or key, str(error.message)))

    social: dict[str, Any] = {"platform": values["platform"].lower(), "handle": values["handle"]}
    social_ok = True
    for column in COUNT_FIELDS:
        number = _whole_number(values[column], column, errors)
        social_ok = social_ok and number is not None
        social[column] = number
    try:
        social["metrics_date"] = date.fromisoformat(values["metrics_date"])
    except ValueError:
        errors.append(("metrics_date", _("Enter the metrics date as YYYY-MM-DD, for example 2025-01-31.")))
        social_ok = False
    for column in AUDIENCE_COLUMNS:
        if column in values:
            entries = _audience_pairs(values[column], column, errors)
            social_ok = social_ok and entries is not None
            social[column] = entries
    if social_ok:
        try:
            social = clean_social_fields(social)
        except ValidationFailed as error:
            message = str(error.message)
            if error.field in AUDIENCE_COLUMNS:
                message = f"{message} {_audience_format(error.field)}"
            errors.append((error.field or "", message))
        else:
            # clean_social_fields fills in an empty audience; a column the file lacks changes nothing.
            for column in AUDIENCE_COLUMNS:
                if column not in values:
                    del social[column]
    if errors:
        return errors
    return _CleanRow(line=row.line, email=email, profile=profile, social=social)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def _comparable(profile: dict[str, Any]) -> dict[str, Any]:
    return {
        key: frozenset(term.pk for term in value) if key in ("niches", "causes") else value
        for key, value in profile.items()
    }


def _validate_rows(
    rows: list[RosterRow], *, organization: Organization
) -> tuple[
    list[_CleanRow], list[RowError], dict[str, User], dict[tuple[str, str], SocialAccount], list[_CleanRow]
]:
    """Clean every row and check it against the database.

    Returns the good rows, the errors, the existing users and accounts the good rows name, all
    fetched in a few queries whatever the number of rows, and the "listed" rows: good rows whose
    email belongs to an account the organization does not manage (never written, never reported).
    """
    niches_by_slug = {niche.slug: niche for niche in Niche.objects.all()}
    causes_by_slug = {cause.slug: cause for cause in Cause.objects.all()}
    good: list[_CleanRow] = []
    errors: list[RowError] = []
    for row in rows:
        outcome = _clean_one(row, niches_by_slug, causes_by_slug)
        if isinstance(outcome, list):
            errors.extend(RowError(row.line, column, message) for column, message in outcome)
        else:
            good.append(outcome)

    # Consistency inside the file: one account per line, one set of profile details per email.
    first_line_for_account: dict[tuple[str, str], int] = {}
    profile_for_email: dict[str, tuple[int, dict[str, Any]]] = {}
    bad_lines: set[int] = set()
    for row in good:
        key = (row.social["platform"], row.social["handle"])
        if key in first_line_for_account:
            errors.append(
                RowError(
                    row.line,
                    "handle",
                    _("This account is already on line %(line)s. Keep one line per account.")
                    % {"line": first_line_for_account[key]},
                )
            )
            bad_lines.add(row.line)
        else:
            first_line_for_account[key] = row.line
        first_line, first_profile = profile_for_email.setdefault(
            row.email, (row.line, _comparable(row.profile))
        )
        profile = _comparable(row.profile)
        differ = [column for column in COLUMNS if first_profile.get(column) != profile.get(column)]
        if differ:
            errors.append(
                RowError(
                    row.line,
                    "email",
                    _(
                        "This email is also on line %(line)s, with different creator details in: "
                        "%(columns)s. Use the same creator details on every line of a creator."
                    )
                    % {"line": first_line, "columns": ", ".join(differ)},
                )
            )
            bad_lines.add(row.line)
    good = [row for row in good if row.line not in bad_lines]

    # Against the database. Users are locked so a concurrent claim or import waits for this one.
    emails = sorted({row.email for row in good})
    users = {
        user.email: user for user in User.objects.select_for_update().filter(email__in=emails).order_by("pk")
    }
    ours = set(
        AuditEvent.objects.filter(
            action=CREATED_ACTION,
            target_id__in=[str(user.pk) for user in users.values()],
            data__organization=organization.pk,
        ).values_list("target_id", flat=True)
    )
    accounts = {
        (account.platform, account.handle): account
        for account in SocialAccount.objects.select_for_update(of=("self",))
        .select_related("profile")
        .filter(handle__in=sorted({row.social["handle"] for row in good}))
        .order_by("pk")
    }
    checked: list[_CleanRow] = []
    listed: list[_CleanRow] = []
    for row in good:
        user = users.get(row.email)
        foreign = user is not None and not (
            str(user.pk) in ours and not user.has_usable_password() and user.last_login is None
        )
        # Someone else's account is treated as no account at all, so the report cannot tell.
        manageable = None if foreign else user
        account = accounts.get((row.social["platform"], row.social["handle"]))
        if account is not None and (manageable is None or account.profile.user_id != manageable.pk):
            errors.append(
                RowError(
                    row.line,
                    "handle",
                    duplicate_handle_message(row.social["platform"], row.social["handle"]),
                )
            )
            continue
        (listed if foreign else checked).append(row)
    errors.sort(
        key=lambda error: (error.line, COLUMNS.index(error.column) if error.column in COLUMNS else -1)
    )
    return checked, errors, users, accounts, listed


def _listed_write(
    listed: list[_CleanRow], *, users: dict[str, User], organization: Organization, by_user: User
) -> tuple[int, int]:
    """The lines naming accounts the organization does not manage: nothing about the account
    changes. Counted as a new creator's lines would be (created the first time this organization
    names the email, updated after), so the report reads the same whether or not the account
    existed; the owner is emailed the first time. Returns (created, updated)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    if not listed:
        return 0, 0
    emails = sorted({row.email for row in listed})
    before = set(
        AuditEvent.objects.filter(
            action=LISTED_ACTION,
            target_id__in=[str(users[email].pk) for email in emails],
            data__organization=organization.pk,
        ).values_list("target_id", flat=True)
    )
    updated = sum(1 for row in listed if str(users[row.email].pk) in before)
    first_time = [users[email] for email in emails if str(users[email].pk) not in before]
    user_type = ContentType.objects.get_for_model(User)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=by_user,
            action=LISTED_ACTION,
            target_type=user_type,
            target_id=str(user.pk),
            data={"organization": organization.pk},
        )
        for user in first_time
    )
    messages = []
    for user in first_time:
        email = user.email
        language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _(
                "%(organization)s listed you in its roster"
            ) % {"organization": organization.name}
            body = render_to_string("roster/email/listed.txt", {"organization": organization, "user": user})
        messages.append((subject, body, email))

    def send():
        for subject, body, email in messages:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])

    if messages:
        # robust: the import is committed; a mail outage must not undo it or fail the report.
        transaction.on_commit(send, robust=True)
    return len(listed) - updated, updated


# --- 3. The service ----------------------------------------------------------------------------


def roster_import(
    *, organization: Organization, by_user: User, content: bytes, valid_rows_only: bool = False
) -> RosterResult:
    """Import a roster file for `organization`. Owners and managers only.

    Raises RosterFileError for a malformed file. With bad rows and `valid_rows_only=False`, writes
    nothing and returns the report.
    """
    require_org_manager(organization=organization, user=by_user)
    rows = roster_parse(content)
    with transaction.atomic():
        good, errors, users, accounts, listed = _validate_rows(rows, organization=organization)
        result = RosterResult(total=len(rows), errors=errors)
        bad_lines = {error.line for error in errors}
        result.skipped = len(bad_lines)
        if errors and not valid_rows_only:
            result.skipped = len(rows)
            return result
        result.created, result.updated = _write(
            good, users=users, accounts=accounts, organization=organization, by_user=by_user
        )
        # Counted like a new creator's lines: the report must not tell that the account exists.
        listed_created, listed_updated = _listed_write(
            listed, users=users, organization=organization, by_user=by_user
        )
        result.created += listed_created
        result.updated += listed_updated
        result.written = bool(good or listed)
        if result.written:
            audit_record(
                actor=by_user,
                action="roster.imported",
                target=organization,
                data={
                    "rows": result.total,
                    "created": result.created,
                    "updated": result.updated,
                    "skipped": result.skipped,
                    "valid_rows_only": valid_rows_only,
                },
            )
    return result


def _write(
    good: list[_CleanRow],
    *,
    users: dict[str, User],
    accounts: dict[tuple[str, str], SocialAccount],
    organization: Organization,
    by_user: User,
) -> tuple[int, int]:
    """Write the checked rows with bulk inserts; returns (accounts created, accounts updated).

    A few queries per import plus one UPDATE per profile or account whose values changed, so a
    5,000-line file stays within seconds.
    """
    # Every line of an email carries the same profile details (checked above): use the first.
    profile_rows: dict[str, _CleanRow] = {}
    for row in good:
        profile_rows.setdefault(row.email, row)
    _users_create(
        [row for email, row in profile_rows.items() if email not in users],
        users=users,
        organization=organization,
        by_user=by_user,
    )
    profiles = {
        profile.user_id: profile
        for profile in CreatorProfile.objects.select_for_update()
        .filter(user_id__in=[users[email].pk for email in profile_rows])
        .order_by("pk")
    }
    new = [
        (users[email], row.profile) for email, row in profile_rows.items() if users[email].pk not in profiles
    ]
    for email, row in profile_rows.items():
        if users[email].pk in profiles:
            _save_changes(profiles[users[email].pk], _without_terms(row.profile))
    profiles.update(_profiles_create(new))
    for relation in ("niches", "causes"):
        _terms_replace(
            relation,
            {
                profiles[users[email].pk].pk: row.profile[relation]
                for email, row in profile_rows.items()
                if relation in row.profile
            },
        )

    created: list[SocialAccount] = []
    for row in good:
        account = accounts.get((row.social["platform"], row.social["handle"]))
        if account is None:
            created.append(SocialAccount(profile=profiles[users[row.email].pk], **row.social))
        else:
            _save_changes(account, row.social)
    SocialAccount.objects.bulk_create(created)
    announce_matching_change(*(profile.pk for profile in profiles.values()))
    return len(created), len(good) - len(created)


def _users_create(
    rows: list[_CleanRow], *, users: dict[str, User], organization: Organization, by_user: User
) -> None:
    """Create the users of `rows`, unclaimed, and add them to `users`."""
    from allauth.account.models import EmailAddress

    new = []
    for row in rows:
        user = User(
            email=row.email, full_name=row.profile["display_name"], signup_role=User.SignupRole.CREATOR
        )
        # No password: the creator claims the account with "forgot password", which also proves the
        # email. An unusable password is also what keeps a 5,000-line import from hashing 5,000 times.
        user.set_unusable_password()
        new.append(user)
    User.objects.bulk_create(new)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=False, primary=True) for user in new
    )
    # The same rows audit_record would write, one INSERT for all of them.
    user_type = ContentType.objects.get_for_model(User)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=by_user,
            action=CREATED_ACTION,
            target_type=user_type,
            target_id=str(user.pk),
            data={"organization": organization.pk},
        )
        for user in new
    )
    users.update((user.email, user) for user in new)


def _without_terms(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in ("niches", "causes")}


def _profiles_create(new: list[tuple[User, dict[str, Any]]]) -> dict[int, CreatorProfile]:
    """Create profiles with free slugs in one INSERT; keyed by user id."""
    slugs = _free_slugs([data["display_name"] for _user, data in new])
    profiles = [
        CreatorProfile(user=user, slug=slug, **_without_terms(data))
        for (user, data), slug in zip(new, slugs, strict=True)
    ]
    try:
        CreatorProfile.objects.bulk_create(profiles)
    except IntegrityError as exc:
        # Someone took one of these slugs since _free_slugs looked; the whole import rolls back.
        raise ValidationFailed(
            _("Another creator took one of these profile addresses a moment ago. Import the file again.")
        ) from exc
    return {profile.user_id: profile for profile in profiles}


def _slug_base(name: str) -> str:
    """The base marketplace.slugs.unique_slug starts from for a profile."""
    base = slugify(name)[:60].strip("-") or "creator"
    return f"{base}-creator" if base in RESERVED_SLUGS else base


def _free_slugs(names: list[str]) -> list[str]:
    """unique_slug for many profiles at once: "ayu", then "ayu-2", "ayu-3"... for each name.

    One query for the plain slugs, and one per 100 bases that are taken already or wanted twice.
    """
    bases = [_slug_base(name) for name in names]
    taken = set(CreatorProfile.objects.filter(slug__in=set(bases)).values_list("slug", flat=True))
    crowded = sorted(taken | {base for base, count in Counter(bases).items() if count > 1})
    # 100 LIKEs per query keeps under SQLite's expression depth limit (1,000).
    for start in range(0, len(crowded), 100):
        numbered = reduce(or_, (Q(slug__startswith=f"{base}-") for base in crowded[start : start + 100]))
        taken.update(CreatorProfile.objects.filter(numbered).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug, suffix = base, 2
        while slug in taken:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


def _terms_replace(relation: str, wanted: dict[int, list]) -> None:
    """Set each profile's niches or causes to `wanted[profile id]`: one read, one delete, one insert."""
    field = CreatorProfile._meta.get_field(relation)
    through = field.remote_field.through
    profile_id, term_id = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
    current: dict[int, set[int]] = defaultdict(set)
    for profile, term in through.objects.filter(**{f"{profile_id}__in": list(wanted)}).values_list(
        profile_id, term_id
    ):
        current[profile].add(term)
    stale = [profile for profile, terms in wanted.items() if {term.pk for term in terms} != current[profile]]
    if not stale:
        return
    replaced = [profile for profile in stale if current[profile]]
    if replaced:
        through.objects.filter(**{f"{profile_id}__in": replaced}).delete()
    through.objects.bulk_create(
        through(**{profile_id: profile, term_id: term.pk}) for profile in stale for term in wanted[profile]
    )


def _save_changes(instance: CreatorProfile | SocialAccount, data: dict[str, Any]) -> None:
    changed = [key for key, value in data.items() if getattr(instance, key) != value]
    for key in changed:
        setattr(instance, key, data[key])
    if changed:
        instance.save(update_fields=[*changed, "updated_at"])


# --- 4. In the background (the API's import job) ------------------------------------------------


def roster_import_job_start(
    *,
    organization: Organization,
    by_user: User,
    content: bytes,
    file_name: str = "",
    valid_rows_only: bool = False,
) -> RosterImportJob:
    """Check who asks and that the file can be read, store it, and import it after commit.

    A malformed file raises RosterFileError now, so the caller hears about it at once; the rows are
    validated (and written) by the job, whose report lists each problem by line and column.
    """
    require_org_manager(organization=organization, user=by_user)
    roster_parse(content)
    job = RosterImportJob.objects.create(
        organization=organization,
        created_by=by_user,
        content=content,
        file_name=file_name[:255],
        valid_rows_only=valid_rows_only,
    )
    transaction.on_commit(lambda: _queue_roster_import(job.pk))
    return job


def _queue_roster_import(job_id: int) -> None:
    enqueue(tasks.roster_import_run, job_id)


def roster_import_job_run(*, job_id: int) -> str:
    """Run a queued job once: the import and the job's result are saved in one transaction.

    A job left "running" longer than a task may live (its worker died, and with it the import's
    transaction) is claimed again, so a redelivered task finishes it instead of leaving it stuck.
    """
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone, translation

    from marketplace.errors import DomainError

    S = RosterImportJob.Status
    now = timezone.now()
    lost = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimed = (
        RosterImportJob.objects.filter(pk=job_id)
        .filter(Q(status=S.QUEUED) | Q(status=S.RUNNING, started_at__lt=lost))
        .update(status=S.RUNNING, started_at=now)
    )
    if not claimed:
        return "skipped"
    job = RosterImportJob.objects.select_related("organization", "created_by").get(pk=job_id)
    language = getattr(job.created_by, "preferred_language", "") or settings.LANGUAGE_CODE
    finished = {"content": b"", "finished_at": timezone.now()}
    try:
        with transaction.atomic(), translation.override(language):
            if job.created_by is None:
                raise PermissionDeniedError(_("The person who started this import no longer has an account."))
            result = roster_import(
                organization=job.organization,
                by_user=job.created_by,
                content=bytes(job.content),
                valid_rows_only=job.valid_rows_only,
            )
            RosterImportJob.objects.filter(pk=job_id).update(
                status=S.DONE,
                total=result.total,
                created=result.created,
                updated=result.updated,
                skipped=result.skipped,
                written=result.written,
                errors=[
                    {"line": e.line, "column": e.column, "message": str(e.message)} for e in result.errors
                ],
                **finished,
            )
    except DomainError as error:
        RosterImportJob.objects.filter(pk=job_id).update(
            status=S.FAILED, error=str(error.message), **finished
        )
        return S.FAILED
    except Exception:
        # A bug, not the file: say so on the job (nothing was written) and let the worker log it.
        with translation.override(language):
            message = _("The import stopped on an unexpected error; nothing was imported. Try again later.")
        RosterImportJob.objects.filter(pk=job_id).update(status=S.FAILED, error=str(message), **finished)
        raise
    return S.DONE
