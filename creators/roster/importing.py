"""The roster import service: validates a file's rows and writes them in one transaction."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from brands.models import Organization
from brands.permissions import require_org_manager
from creators.models import CreatorProfile, SocialAccount
from creators.roster.parsing import roster_parse
from creators.roster.validation import CREATED_ACTION, LISTED_ACTION, RowError, _CleanRow, _validate_rows
from creators.services import (
    RESERVED_SLUGS,
)
from creators.services.social_accounts import self_reported_json
from creators.signals import announce_matching_change
from marketplace.errors import ValidationFailed
from marketplace.models import AuditEvent, User
from marketplace.services import audit_record


@dataclass
class RosterResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)


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
