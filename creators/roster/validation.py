"""Roster rows cleaned with the creator forms' cleaners and checked against the file and the database."""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Organization
from creators.models import Cause, CreatorProfile, Niche, SocialAccount
from creators.roster.parsing import (
    AUDIENCE_COLUMNS,
    AUDIENCE_EXAMPLES,
    COLUMNS,
    LIST_SEPARATOR,
    YES_NO,
    RosterRow,
)
from creators.services import (
    COUNT_FIELDS,
    clean_profile_fields,
    clean_social_fields,
    duplicate_handle_message,
)
from marketplace.errors import ValidationFailed
from marketplace.models import User

CREATED_ACTION = "roster.creator_created"
# An import named an account the organization does not manage (see _listed_write).
LISTED_ACTION = "roster.creator_listed"


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


# --- 2. Validation -----------------------------------------------------------------------------


@dataclass
class _CleanRow:
    line: int
    email: str
    profile: dict[str, Any]
    social: dict[str, Any]
    # (column, message): imported anyway, with a change the report states (an unknown niche dropped).
    warnings: list[tuple[str, str]] = field(default_factory=list)
    # No email in the file: the creator is a placeholder user until they claim the profile.
    placeholder: bool = False


@dataclass
class FileState:
    """What one line of a file must be checked against in the lines before it (kept across chunks)."""

    first_line_for_account: dict[tuple[str, str], int] = field(default_factory=dict)
    profile_for_email: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)


PLACEHOLDER_DOMAIN = "unclaimed.kolabo.invalid"


def placeholder_email(platform: str, handle: str) -> str:
    """The address of a roster creator the file gives no email for: one per account, stable, so a
    re-import finds the same creator; .invalid never receives mail (RFC 2606). Replaced on claim."""
    digest = hashlib.sha256(f"{platform}:{handle}".encode()).hexdigest()[:24]
    return f"roster-{platform}-{digest}@{PLACEHOLDER_DOMAIN}"


def is_placeholder_email(email: str) -> bool:
    return email.endswith("@" + PLACEHOLDER_DOMAIN)


def _whole_number(value: str, column: str, errors: list[tuple[str, str]]) -> int | bool | None:
    """The cell as an int; None for an empty cell (unknown); False after reporting a bad value."""
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        errors.append((column, _("“%(value)s” is not a whole number, for example 5200.") % {"value": value}))
        return False


def _terms(value: str, by_slug: dict, column: str, errors: list[tuple[str, str]]) -> list | None:
    """Cause slugs separated by | → the terms; None after reporting an unknown slug."""
    slugs = _split(value)
    unknown = [slug for slug in slugs if slug.lower() not in by_slug]
    if unknown:
        message = _("“%(slug)s” is not a cause we know. Use the cause slugs listed on this page.")
        errors.append((column, message % {"slug": unknown[0]}))
        return None
    return [by_slug[slug.lower()] for slug in slugs]


def _niches(value: str, by_slug: dict, warnings: list[tuple[str, str]]) -> list:
    """Niche slugs separated by | → the known niches. An unknown slug never rejects the row: the
    creator is imported without it (possibly with no niche at all) and the report warns."""
    known = []
    for slug in _split(value):
        niche = by_slug.get(slug.lower())
        if niche is None:
            warnings.append(
                (
                    "niches",
                    _(
                        "“%(slug)s” is not a niche we know, so the creator was imported without it. "
                        "Use the niche slugs listed on this page and import again to add it."
                    )
                    % {"slug": slug},
                )
            )
        elif niche not in known:
            known.append(niche)
    return known


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
    """Clean one row; a list of (column, message) for everything wrong with it.

    Only platform and handle are required. A profile column left empty (or out of the file) is
    not in `profile`: a new creator gets the stated default (importing._profile_defaults), an
    existing one keeps what was saved. An empty count is unknown (None), never 0.
    """
    values = row.values
    errors: list[tuple[str, str]] = []
    warnings: list[tuple[str, str]] = []
    if "__extra__" in values:
        errors.append(("", _("This line has more cells than the header row has columns.")))

    email = values.get("email", "").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(("email", _("Enter a valid email address, for example ayu@example.com.")))
        if is_placeholder_email(email):
            errors.append(("email", _("Enter the creator's own email address, or leave the cell empty.")))

    profile: dict[str, Any] = {}
    raw_profile: dict[str, Any] = {
        key: values[key] for key in ("display_name", "country", "city", "currency") if values.get(key)
    }
    if values.get("languages"):
        raw_profile["languages"] = _split(values["languages"])
    if values.get("niches"):
        niches = _niches(values["niches"], niches_by_slug, warnings)
        if niches:
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
        number = _whole_number(values.get(column, ""), column, errors)
        if number is False:
            social_ok = False
        social[column] = number
    if social["followers"] is None and social_ok:
        errors.append(
            (
                "followers",
                _("Enter the number of followers, for example 5200: it places the account in its tier."),
            )
        )
        social_ok = False
    if values.get("metrics_date"):
        try:
            social["metrics_date"] = date.fromisoformat(values["metrics_date"])
        except ValueError:
            errors.append(
                ("metrics_date", _("Enter the metrics date as YYYY-MM-DD, for example 2025-01-31."))
            )
            social_ok = False
    else:
        social["metrics_date"] = timezone.localdate()  # stated default: the import date
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
    placeholder = not email
    if placeholder:
        email = placeholder_email(social["platform"], social["handle"])
    return _CleanRow(
        line=row.line, email=email, profile=profile, social=social, warnings=warnings, placeholder=placeholder
    )


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def _comparable(profile: dict[str, Any]) -> dict[str, Any]:
    return {
        key: frozenset(term.pk for term in value) if key in ("niches", "causes") else value
        for key, value in profile.items()
    }


def _validate_rows(
    rows: list[RosterRow], *, organization: Organization, state: FileState | None = None
) -> tuple[
    list[_CleanRow], list[RowError], dict[str, User], dict[tuple[str, str], SocialAccount], list[_CleanRow]
]:
    """Clean every row and check it against the database.

    Returns the good rows, the errors, the existing users and accounts the good rows name, all
    fetched in a few queries whatever the number of rows, and the "listed" rows: good rows whose
    email belongs to an account the organization does not manage (never written, never reported).
    `state` carries the checks between lines across the chunks of one file.
    """
    state = state or FileState()
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
    first_line_for_account = state.first_line_for_account
    profile_for_email = state.profile_for_email
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
        if row.placeholder:
            continue  # no email: the line is its own creator, nothing to compare
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
    # The organization's own, still unclaimed roster creators: the only ones an import may update.
    ours = {
        str(user_id)
        for user_id in CreatorProfile.objects.filter(
            user_id__in=[user.pk for user in users.values()],
            roster_organization=organization,
            roster_status=CreatorProfile.RosterStatus.UNCLAIMED,
        ).values_list("user_id", flat=True)
    }
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
        if (account is not None and (manageable is None or account.profile.user_id != manageable.pk)) or (
            foreign and row.placeholder
        ):
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
