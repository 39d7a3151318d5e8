"""Roster CSV import for agencies and NGOs: creators and their social accounts in one file.

Three stages, so each can be read and tested on its own:
1. `roster_parse` (pure): bytes → rows of raw strings, or a `RosterFileError` for a malformed file.
2. `_validate_rows`: each row through the same cleaners the creator forms use (creators/services.py),
   plus the checks only an import needs (duplicates in the file, accounts owned by someone else).
3. `roster_import` (the service): one transaction; all-or-nothing unless `valid_rows_only`.

Re-importing the same file updates: the user is keyed by email, the account by platform + handle.
An organization may only update creators its own roster import created and who have not claimed
their account yet (no usable password, never logged in): once a creator claims the account, the
creator owns it.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from brands.models import Membership, Organization
from marketplace.errors import PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent, User
from marketplace.services import audit_record
from marketplace.slugs import unique_slug

from .models import CreatorProfile, Niche, SocialAccount
from .services import (
    COUNT_FIELDS,
    RESERVED_SLUGS,
    clean_profile_fields,
    clean_social_fields,
    duplicate_handle_message,
)

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
    "platform",
    "handle",
    "followers",
    "following",
    "posts",
    "avg_likes",
    "avg_comments",
    "avg_views",
    "metrics_date",
    "currency",
)
# Columns that may be missing from the header; an empty value means 0 or "".
OPTIONAL_COLUMNS = frozenset({"city", "following", "posts", "avg_likes", "avg_comments", "avg_views"})
REQUIRED_COLUMNS = tuple(column for column in COLUMNS if column not in OPTIONAL_COLUMNS)
EXAMPLE_ROW = (
    "ayu@example.com",
    "Ayu Lestari",
    "ID",
    "Jakarta",
    "id|en",
    "food|zero-waste",
    "instagram",
    "ayu.cooks",
    "25000",
    "400",
    "320",
    "1100",
    "150",
    "0",
    "2025-01-31",
    "IDR",
)
CREATED_ACTION = "roster.creator_created"


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
    writer.writerow(EXAMPLE_ROW)
    return buffer.getvalue()


# --- 1. Parsing (pure) -------------------------------------------------------------------------


def roster_parse(content: bytes) -> list[RosterRow]:
    """Decode and split the file. Line numbers are the file's own, the header being line 1."""
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
        rows: list[RosterRow] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, often left at the end by spreadsheets
            if len(rows) >= MAX_ROWS:
                raise RosterFileError(
                    _("The file has more than %(max)s rows. Split the file and import each part.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
            values = dict.fromkeys(COLUMNS, "")
            for column, cell in zip(header, cells, strict=False):
                if column in values:
                    values[column] = cell.strip()
            if len(cells) > len(header):
                values["__extra__"] = "yes"
            rows.append(RosterRow(line=reader.line_num, values=values))
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


def _clean_one(row: RosterRow, niches_by_slug: dict[str, Niche]) -> _CleanRow | list[tuple[str, str]]:
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
    unknown_niches = [slug for slug in _split(values["niches"]) if slug.lower() not in niches_by_slug]
    if unknown_niches:
        errors.append(
            (
                "niches",
                _("“%(slug)s” is not a niche we know. Use the niche slugs listed on this page.")
                % {"slug": unknown_niches[0]},
            )
        )
    raw_profile = {
        "display_name": values["display_name"],
        "country": values["country"],
        "city": values["city"],
        "languages": _split(values["languages"]),
        "currency": values["currency"],
    }
    if not unknown_niches:
        raw_profile["niches"] = [niches_by_slug[slug.lower()] for slug in _split(values["niches"])]
    # One field at a time, so every bad column of the row is reported, not just the first.
    for key, value in raw_profile.items():
        try:
            profile.update(clean_profile_fields({key: value}))
        except ValidationFailed as error:
            errors.append((error.field or key, str(error.message)))

    social: dict[str, Any] = {"platform": values["platform"].lower(), "handle": values["handle"]}
    numbers_ok = True
    for column in COUNT_FIELDS:
        number = _whole_number(values[column], column, errors)
        numbers_ok = numbers_ok and number is not None
        social[column] = number
    try:
        social["metrics_date"] = date.fromisoformat(values["metrics_date"])
    except ValueError:
        errors.append(("metrics_date", _("Enter the metrics date as YYYY-MM-DD, for example 2025-01-31.")))
        numbers_ok = False
    if numbers_ok:
        try:
            social = clean_social_fields(social)
        except ValidationFailed as error:
            errors.append((error.field or "", str(error.message)))
    if errors:
        return errors
    return _CleanRow(line=row.line, email=email, profile=profile, social=social)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def _profile_key(profile: dict[str, Any]) -> tuple:
    return tuple(sorted((k, tuple(n.pk for n in v) if k == "niches" else str(v)) for k, v in profile.items()))


def _validate_rows(
    rows: list[RosterRow], *, organization: Organization
) -> tuple[list[_CleanRow], list[RowError], dict[str, User]]:
    """Clean every row and check it against the database; returns good rows, errors, and users."""
    niches_by_slug = {niche.slug: niche for niche in Niche.objects.all()}
    good: list[_CleanRow] = []
    errors: list[RowError] = []
    for row in rows:
        outcome = _clean_one(row, niches_by_slug)
        if isinstance(outcome, list):
            errors.extend(RowError(row.line, column, message) for column, message in outcome)
        else:
            good.append(outcome)

    # Consistency inside the file: one account per line, one set of profile details per email.
    first_line_for_account: dict[tuple[str, str], int] = {}
    profile_for_email: dict[str, tuple[int, tuple]] = {}
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
        seen = profile_for_email.setdefault(row.email, (row.line, _profile_key(row.profile)))
        if seen[1] != _profile_key(row.profile):
            errors.append(
                RowError(
                    row.line,
                    "email",
                    _(
                        "This email is also on line %(line)s with different creator details. "
                        "Use the same name, country, city, languages, niches and currency on every line."
                    )
                    % {"line": seen[0]},
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
        for account in SocialAccount.objects.select_related("profile").filter(
            handle__in=sorted({row.social["handle"] for row in good})
        )
    }
    checked: list[_CleanRow] = []
    for row in good:
        user = users.get(row.email)
        if user is not None and not (
            str(user.pk) in ours and not user.has_usable_password() and user.last_login is None
        ):
            errors.append(
                RowError(
                    row.line,
                    "email",
                    _(
                        "A Kolabo account with this email already exists and its owner manages it. "
                        "Ask the creator to add or update the account themselves."
                    ),
                )
            )
            continue
        account = accounts.get((row.social["platform"], row.social["handle"]))
        if account is not None and (user is None or account.profile.user_id != user.pk):
            errors.append(
                RowError(
                    row.line,
                    "handle",
                    duplicate_handle_message(row.social["platform"], row.social["handle"]),
                )
            )
            continue
        checked.append(row)
    errors.sort(
        key=lambda error: (error.line, COLUMNS.index(error.column) if error.column in COLUMNS else -1)
    )
    return checked, errors, users


# --- 3. The service ----------------------------------------------------------------------------


def roster_import(
    *, organization: Organization, by_user: User, content: bytes, valid_rows_only: bool = False
) -> RosterResult:
    """Import a roster file for `organization`. Owners and managers only.

    Raises RosterFileError for a malformed file. With bad rows and `valid_rows_only=False`, writes
    nothing and returns the report.
    """
    membership = Membership.objects.filter(organization=organization, user=by_user).first()
    if membership is None or not membership.can_edit_org():
        raise PermissionDeniedError(_("Only owners and managers can import a roster."))
    rows = roster_parse(content)
    with transaction.atomic():
        good, errors, users = _validate_rows(rows, organization=organization)
        result = RosterResult(total=len(rows), errors=errors)
        bad_lines = {error.line for error in errors}
        result.skipped = len(bad_lines)
        if errors and not valid_rows_only:
            result.skipped = len(rows)
            return result
        profiles = {
            profile.user_id: profile
            for profile in CreatorProfile.objects.select_for_update()
            .filter(user_id__in=[user.pk for user in users.values()])
            .order_by("pk")
        }
        for row in good:
            user = users.get(row.email)
            if user is None:
                user = _user_create(email=row.email, row=row, organization=organization, by_user=by_user)
                users[row.email] = user
            profile = profiles.get(user.pk)
            if profile is None:
                profile = _profile_create(user=user, data=row.profile)
                profiles[user.pk] = profile
            else:
                _profile_update(profile=profile, data=row.profile)
            if _account_upsert(profile=profile, data=row.social):
                result.created += 1
            else:
                result.updated += 1
        result.written = bool(good)
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


def _user_create(*, email: str, row: _CleanRow, organization: Organization, by_user: User) -> User:
    from allauth.account.models import EmailAddress

    user = User(email=email, full_name=row.profile["display_name"], signup_role=User.SignupRole.CREATOR)
    # No password: the creator claims the account with "forgot password", which also proves the email.
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    audit_record(actor=by_user, action=CREATED_ACTION, target=user, data={"organization": organization.pk})
    return user


def _profile_create(*, user: User, data: dict[str, Any]) -> CreatorProfile:
    fields = {key: value for key, value in data.items() if key != "niches"}
    for _attempt in range(5):
        slug = unique_slug(
            model=CreatorProfile,
            value=fields["display_name"],
            fallback="creator",
            reserved=RESERVED_SLUGS,
            max_length=60,
        )
        try:
            with transaction.atomic():  # a savepoint: losing a slug race retries only this insert
                profile = CreatorProfile.objects.create(user=user, slug=slug, **fields)
            break
        except IntegrityError:
            continue
    else:
        raise ValidationFailed(_("We could not reserve a profile address. Please try again."))
    profile.niches.set(data["niches"])
    return profile


def _profile_update(*, profile: CreatorProfile, data: dict[str, Any]) -> None:
    fields = {key: value for key, value in data.items() if key != "niches"}
    changed = [key for key, value in fields.items() if getattr(profile, key) != value]
    for key in changed:
        setattr(profile, key, fields[key])
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
    if {niche.pk for niche in data["niches"]} != {niche.pk for niche in profile.niches.all()}:
        profile.niches.set(data["niches"])


def _account_upsert(*, profile: CreatorProfile, data: dict[str, Any]) -> bool:
    """Create or update the account; True when it was created."""
    account = (
        SocialAccount.objects.select_for_update()
        .filter(platform=data["platform"], handle=data["handle"], profile=profile)
        .first()
    )
    if account is None:
        SocialAccount.objects.create(profile=profile, **data)
        return True
    changed = [key for key, value in data.items() if getattr(account, key) != value]
    for key in changed:
        setattr(account, key, data[key])
    if changed:
        account.save(update_fields=[*changed, "updated_at"])
    return False
