"""Roster creators' consent: the claim link, claiming the profile, and deleting imported data.

An organization's roster import creates "roster, unclaimed" profiles, private to that organization
(CreatorProfile.objects.publicly_listed() leaves them out of discovery and other organizations'
recommendations). The creator gets a claim link: emailed when the file gave an email, or copied
from the roster page and shared by the organization. The link is a capability (whoever holds it may
act for the profile), one per profile, and stops working once used.

Through the link (or, once claimed, from their own account) the creator sees where their data came
from and may ask for it to be deleted (UU PDP, Law 27/2022: the data subject's rights to be
informed, to access and to have their personal data deleted). Deleting an unclaimed profile removes
the user, the profile and its accounts; for a claimed profile it removes the imported, unverified
accounts and the link to the organization. The organization is told either way.
"""

import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from brands.models import Membership, Organization
from creators.models import CreatorProfile, SocialAccount
from creators.signals import announce_matching_change
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import User
from marketplace.services import absolute_url, audit_record, notify


def new_claim_token() -> str:
    return secrets.token_urlsafe(32)


def claim_url(profile: CreatorProfile) -> str:
    return absolute_url(reverse("roster:claim", kwargs={"token": profile.claim_token}))


def roster_profile_for_token(token: str) -> CreatorProfile | None:
    """The unclaimed profile a claim link names, or None (unknown, used, or deleted)."""
    if not token:
        return None
    return (
        CreatorProfile.objects.select_related("user", "roster_organization")
        .filter(claim_token=token, roster_status=CreatorProfile.RosterStatus.UNCLAIMED)
        .first()
    )


def _org_managers(organization: Organization | None) -> list[User]:
    if organization is None:
        return []
    return [
        membership.user
        for membership in Membership.objects.select_related("user")
        .filter(organization=organization, role__in=[Membership.Role.OWNER, Membership.Role.MANAGER])
        .order_by("pk")
    ]


def roster_claim_invitations_send(*, profile_ids: list[int]) -> int:
    """Email the claim link to unclaimed roster creators with a real email; each at most once.

    Claim, then send: a conditional update marks the invitation before the mail goes out, so a
    redelivered task does not send it twice. Returns how many were sent.
    """
    from creators.roster.validation import is_placeholder_email

    sent = 0
    profiles = (
        CreatorProfile.objects.select_related("user", "roster_organization")
        .filter(
            pk__in=profile_ids, roster_status=CreatorProfile.RosterStatus.UNCLAIMED, claim_invited_at=None
        )
        .order_by("pk")
    )
    for profile in profiles.iterator(chunk_size=500):
        if is_placeholder_email(profile.user.email):
            continue
        claimed = CreatorProfile.objects.filter(pk=profile.pk, claim_invited_at=None).update(
            claim_invited_at=timezone.now()
        )
        if not claimed:
            continue
        organization = profile.roster_organization
        with translation.override(profile.user.preferred_language or settings.LANGUAGE_CODE):
            subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _(
                "%(organization)s added you to Kolabo: claim your profile or have it deleted"
            ) % {"organization": organization.name if organization else "Kolabo"}
            body = render_to_string(
                "roster/email/claim_invitation.txt",
                {"profile": profile, "organization": organization, "url": claim_url(profile)},
            )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [profile.user.email])
        sent += 1
    return sent


def roster_profile_claim(*, token: str, email: str, password: str) -> User:
    """The creator behind a claim link takes the profile: their email and password, then listed.

    Raises ValidationFailed for a bad email or password, InvalidTransition when the link was used.
    """
    from allauth.account.models import EmailAddress

    from creators.roster.validation import is_placeholder_email

    email = (email or "").strip().lower()
    with transaction.atomic():
        profile = (
            CreatorProfile.objects.select_for_update()
            .filter(claim_token=token, roster_status=CreatorProfile.RosterStatus.UNCLAIMED)
            .first()
            if token
            else None
        )
        if profile is None:
            raise InvalidTransition(
                _(
                    "This claim link was used already or the profile was deleted. Log in, or ask the organization for a new link."
                )
            )
        user = User.objects.select_for_update().get(pk=profile.user_id)
        if not email or is_placeholder_email(email):
            raise ValidationFailed(_("Enter your email address, for example ayu@example.com."), field="email")
        if User.objects.filter(email=email).exclude(pk=user.pk).exists():
            raise ValidationFailed(
                _(
                    "This email already has a Kolabo account. Enter another email, or log in with that "
                    "account and contact support to merge the imported profile."
                ),
                field="email",
            )
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationFailed(" ".join(error.messages), field="password") from error
        # The email the invitation went to is proven by the link; another one still needs confirming.
        verified = email == user.email and profile.claim_invited_at is not None
        user.email = email
        user.set_password(password)
        user.save(update_fields=["email", "password"])
        EmailAddress.objects.filter(user=user).delete()
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
        profile.roster_status = CreatorProfile.RosterStatus.CLAIMED
        profile.claimed_at = timezone.now()
        profile.claim_token = ""
        profile.save(update_fields=["roster_status", "claimed_at", "claim_token", "updated_at"])
        audit_record(
            actor=user,
            action="roster.profile_claimed",
            target=profile,
            data={"organization": profile.roster_organization_id},
        )
        for manager in _org_managers(profile.roster_organization):
            notify(
                recipient=manager,
                kind="roster.claimed",
                dedupe_key=f"roster.claimed:{profile.pk}:u{manager.pk}",
                params={"creator": profile.display_name},
                url=profile.get_absolute_url(),
            )
        # Now listed: discovery and recommendations pick the creator up.
        announce_matching_change(profile.pk)
    return user


def roster_data_delete(*, profile: CreatorProfile, by_user: User | None = None, token: str = "") -> None:
    """The data subject asks for the imported data to be deleted.

    Unclaimed (asked through the claim link, `token`): the user, profile and accounts go. Claimed
    (asked by the creator, `by_user`): the imported accounts whose numbers are not verified go, and
    the profile no longer names the organization. The organization's managers are told.
    """
    with transaction.atomic():
        locked = CreatorProfile.objects.select_for_update().filter(pk=profile.pk).first()
        if locked is None or not locked.roster_status:
            raise InvalidTransition(_("There is no imported data left to delete for this profile."))
        if locked.is_unclaimed_roster:
            if not token or not secrets.compare_digest(token, locked.claim_token):
                raise PermissionDeniedError(_("Use the claim link you were sent to delete this profile."))
        elif by_user is None or locked.user_id != by_user.pk:
            raise PermissionDeniedError(
                _("Only the creator can ask for this profile's imported data to be deleted.")
            )
        organization = locked.roster_organization
        accounts = list(SocialAccount.objects.filter(profile=locked).order_by("pk"))
        account_text = ", ".join(f"{a.get_platform_display()} @{a.handle}" for a in accounts) or "—"
        imported_on = formats.date_format(timezone.localtime(locked.roster_imported_at or locked.created_at))
        if locked.is_unclaimed_roster:
            user_id = locked.user_id
            audit_record(
                actor=None,
                action="roster.profile_deleted",
                target=organization or locked,
                data={"organization": locked.roster_organization_id, "accounts": len(accounts)},
            )
            try:
                with transaction.atomic():
                    User.objects.filter(pk=user_id).delete()  # cascades: profile, accounts, features
            except ProtectedError as error:
                # Money or a collaboration refers to the profile: the records must stay (tax, disputes).
                raise InvalidTransition(
                    _(
                        "This profile has collaborations or payments that must be kept, so it cannot be "
                        "deleted here. Write to support and we will delete everything else."
                    )
                ) from error
        else:
            SocialAccount.objects.filter(
                Q(profile=locked) & ~Q(metrics_source="verified"),
                created_at__lte=locked.claimed_at or timezone.now(),
            ).delete()
            locked.roster_organization = None
            locked.roster_status = CreatorProfile.RosterStatus.NONE
            locked.save(update_fields=["roster_organization", "roster_status", "updated_at"])
            audit_record(actor=by_user, action="roster.imported_data_deleted", target=locked, data={})
            announce_matching_change(locked.pk)
        for manager in _org_managers(organization):
            notify(
                recipient=manager,
                kind="roster.deleted",
                dedupe_key=f"roster.deleted:{profile.pk}:u{manager.pk}",
                params={"account": account_text, "date": imported_on},
            )
