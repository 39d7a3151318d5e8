"""The roster import service: validates a file's rows and writes them in one transaction."""

import secrets
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from brands.models import Organization
from brands.permissions import require_org_manager
from creators import tasks
from creators.models import CreatorProfile, SocialAccount
from creators.roster.claims import new_claim_token
from creators.roster.parsing import roster_chunks
from creators.roster.validation import (
    LISTED_ACTION,
    FileState,
    RowError,
    _CleanRow,
    _validate_rows,
    is_placeholder_email,
)
from creators.services import (
    RESERVED_SLUGS,
)
from creators.services.social_accounts import self_reported_json
from creators.signals import announce_matching_change, matching_changes_gathered
from marketplace.errors import ValidationFailed
from marketplace.models import AuditEvent, User
from marketplace.queueing import enqueue_on_commit
from marketplace.services import audit_record

# The report lists at most this many problems and warnings (a 100,000-line file could have more).
MAX_REPORTED = 1_000


@dataclass
class RosterResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0

    def add_errors(self, errors: list[RowError]) -> None:
        self.error_count += len(errors)
        self.errors.extend(errors[: max(0, MAX_REPORTED - len(self.errors))])

    def add_warnings(self, rows: list[_CleanRow]) -> None:
        for row in rows:
            self.warning_count += len(row.warnings)
            for column, message in row.warnings:
                if len(self.warnings) < MAX_REPORTED:
                    self.warnings.append(RowError(row.line, column, message))


Progress = Callable[[str, int], None]


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
    *,
    organization: Organization,
    by_user: User,
    content: bytes,
    valid_rows_only: bool = False,
    progress: Progress | None = None,
) -> RosterResult:
    """Import a roster file for `organization`. Owners and managers only.

    Streams the file in chunks of CHUNK_ROWS: never all rows in memory, bulk INSERTs per chunk.
    Raises RosterFileError for a malformed file. All-or-nothing unless `valid_rows_only`: a first
    pass checks every row and writes nothing; when a row has a problem the report comes back and
    nothing is written. The second pass writes chunk by chunk, each in its own transaction so the
    job page can show progress; if a chunk fails then (a concurrent change since the check), the
    chunks before it stay imported, and importing the same file again finishes it (re-importing
    updates, it never duplicates). `progress(phase, rows done)` is called after every chunk.
    """
    require_org_manager(organization=organization, user=by_user)
    progress = progress or (lambda phase, done: None)
    result = RosterResult()
    if not valid_rows_only:
        state, done, bad_lines = FileState(), 0, set()
        for chunk in roster_chunks(content):
            with transaction.atomic():
                _good, errors, _users, _accounts, _listed = _validate_rows(
                    chunk, organization=organization, state=state
                )
            result.add_errors(errors)
            bad_lines.update(error.line for error in errors)
            done += len(chunk)
            progress("checking", done)
        result.total = done
        if result.error_count:
            result.skipped = result.total
            return result
        result.errors, result.error_count = [], 0

    state, done, bad_lines = FileState(), 0, set()
    with matching_changes_gathered():
        for chunk in roster_chunks(content):
            with transaction.atomic():
                good, errors, users, accounts, listed = _validate_rows(
                    chunk, organization=organization, state=state
                )
                result.add_errors(errors)
                result.add_warnings(good)
                bad_lines.update(error.line for error in errors)
                created, updated = _write(
                    good, users=users, accounts=accounts, organization=organization, by_user=by_user
                )
                # Counted like a new creator's lines: the report must not tell that the account exists.
                listed_created, listed_updated = _listed_write(
                    listed, users=users, organization=organization, by_user=by_user
                )
            result.created += created + listed_created
            result.updated += updated + listed_updated
            result.written = result.written or bool(good or listed)
            done += len(chunk)
            progress("writing", done)
    result.total = done
    result.skipped = len(bad_lines)
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
    defaults = _profile_defaults(organization)
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
        (users[email], _with_defaults(row, defaults))
        for email, row in profile_rows.items()
        if users[email].pk not in profiles
    ]
    for email, row in profile_rows.items():
        if users[email].pk in profiles:
            _save_changes(profiles[users[email].pk], _without_terms(row.profile))
    profiles.update(_profiles_create(new, organization=organization))
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
        elif account.is_metrics_verified:
            _save_self_reported(account, row.social)
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
            email=row.email,
            full_name=row.profile.get("display_name", row.social["handle"]),
            signup_role=User.SignupRole.CREATOR,
        )
        # No password until the creator claims the profile. The same as set_unusable_password()
        # ("!" + random text), with one urandom call instead of 40 random.choice calls per user.
        user.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
        new.append(user)
    User.objects.bulk_create(new)
    # A placeholder address (no email in the file) is no address: the creator gives theirs on claim.
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=False, primary=True)
        for user in new
        if not is_placeholder_email(user.email)
    )
    # Who created them is on the profile (roster_organization, roster_imported_at) and in the
    # import's audit event; one audit row per creator would double a 100,000-line import's writes.
    users.update((user.email, user) for user in new)


def _without_terms(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in ("niches", "causes")}


def _profile_defaults(organization: Organization) -> dict[str, Any]:
    """What a new creator gets for a column the file leaves empty (documented on the upload page):
    the organization's country and currency, no languages and no niche (unknown: the creator is not
    recommended for niche briefs until they have one). The name defaults to the handle."""
    return {
        "country": organization.country,
        "currency": organization.default_currency,
        "languages": [],
        "niches": [],
    }


def _with_defaults(row: _CleanRow, defaults: dict[str, Any]) -> dict[str, Any]:
    return {"display_name": row.social["handle"], **defaults, **row.profile}


def _profiles_create(
    new: list[tuple[User, dict[str, Any]]], *, organization: Organization
) -> dict[int, CreatorProfile]:
    """Create profiles with free slugs in one INSERT; keyed by user id. They are "roster,
    unclaimed": private to `organization` until the creator claims them with the claim link."""
    slugs = _free_slugs([data["display_name"] for _user, data in new])
    now = timezone.now()
    profiles = [
        CreatorProfile(
            user=user,
            slug=slug,
            roster_status=CreatorProfile.RosterStatus.UNCLAIMED,
            roster_organization=organization,
            roster_imported_at=now,
            claim_token=new_claim_token(),
            **_without_terms(data),
        )
        for (user, data), slug in zip(new, slugs, strict=True)
    ]
    try:
        CreatorProfile.objects.bulk_create(profiles)
    except IntegrityError as exc:
        # Someone took one of these slugs since _free_slugs looked; the whole import rolls back.
        raise ValidationFailed(
            _("Another creator took one of these profile addresses a moment ago. Import the file again.")
        ) from exc
    created = {profile.user_id: profile for profile in profiles}
    # The invitation to claim goes to creators the file gives an email for (a task, after commit).
    invited = [profile.pk for profile in profiles if not is_placeholder_email(profile.user.email)]
    if invited:
        enqueue_on_commit(tasks.roster_claim_invitations_send, invited)
    return created


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


def _save_self_reported(account: SocialAccount, social: dict[str, Any]) -> None:
    """A verified account's numbers come from its platform: the file's go to `self_reported` only."""
    typed = (account.self_reported or {}) | self_reported_json(social)
    if typed != account.self_reported:
        account.self_reported = typed
        account.save(update_fields=["self_reported", "updated_at"])


def _save_changes(instance: CreatorProfile | SocialAccount, data: dict[str, Any]) -> None:
    changed = [key for key, value in data.items() if getattr(instance, key) != value]
    for key in changed:
        setattr(instance, key, data[key])
    if changed:
        instance.save(update_fields=[*changed, "updated_at"])
