"""Creating and editing organizations."""

from collections.abc import Iterable
from typing import Literal

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from brands.models import RESERVED_SLUGS, Membership, Organization
from brands.permissions import require_org_manager
from brands.services.common import Role, _lock_org
from creators.models import Cause
from marketplace.errors import ValidationFailed
from marketplace.models import User
from marketplace.services import audit_record
from marketplace.slugs import unique_slug

SLUG_MAX_LENGTH = 50


def _check_causes(*, kind: str, causes: Iterable[Cause] | None) -> list[Cause]:
    causes = list(causes or [])
    if causes and kind != Organization.Kind.NGO:
        raise ValidationFailed(_("Only NGOs choose causes."), field="causes")
    return causes


# Organizations


@transaction.atomic
def organization_create(
    *,
    user: User,
    kind: str,
    name: str,
    country: str,
    website: str = "",
    description: str = "",
    default_currency: str = "IDR",
    causes: Iterable[Cause] | None = None,
    logo: File | None = None,
) -> Organization:
    """Create a brand or NGO; the creator becomes its first owner."""
    if kind not in Organization.Kind.values:
        raise ValidationFailed(_("Choose whether this is a brand or an NGO."), field="kind")
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Enter the organization's name."), field="name")
    causes = _check_causes(kind=kind, causes=causes)

    fields = {
        "kind": kind,
        "name": name,
        "country": country,
        "website": website,
        "description": description.strip(),
        "default_currency": default_currency,
        "created_by": user,
    }
    # Another request may take the same slug between our check and our insert: retry in a savepoint.
    for attempt in range(3):
        slug = unique_slug(
            model=Organization,
            value=name,
            fallback="org",
            reserved=RESERVED_SLUGS,
            max_length=SLUG_MAX_LENGTH,
        )
        if attempt:
            slug = f"{slug[: SLUG_MAX_LENGTH - 5]}-{get_random_string(4).lower()}"
        try:
            with transaction.atomic():
                organization = Organization.objects.create(slug=slug, **fields)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    if logo:
        organization.logo = logo
        organization.save(update_fields=["logo"])
    if causes:
        organization.causes.set(causes)
    membership = Membership.objects.create(organization=organization, user=user, role=Role.OWNER)

    audit_record(
        actor=user,
        action="organization.created",
        target=organization,
        to_status=organization.verification_status,
        data={"kind": kind, "name": name, "slug": organization.slug},
    )
    audit_record(
        actor=user,
        action="membership.created",
        target=membership,
        to_status=Role.OWNER,
        data={"organization": organization.pk, "user": user.pk},
    )
    return organization


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    by_user: User,
    name: str | None = None,
    website: str | None = None,
    country: str | None = None,
    description: str | None = None,
    default_currency: str | None = None,
    causes: Iterable[Cause] | None = None,
    logo: File | Literal[False] | None = None,
) -> Organization:
    """Change the organization's public details. None leaves a field as it is; logo=False removes it.

    The slug does not follow the name, so links already shared keep working.
    """
    organization = _lock_org(organization)
    require_org_manager(organization=organization, user=by_user)

    changes = {}
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationFailed(_("Enter the organization's name."), field="name")
        changes["name"] = name
    for field, value in (
        ("website", website),
        ("country", country),
        ("description", description.strip() if description is not None else None),
        ("default_currency", default_currency),
    ):
        if value is not None:
            changes[field] = value

    changed = {}
    for field, value in changes.items():
        old = getattr(organization, field)
        if str(old) != str(value):
            changed[field] = [str(old), str(value)]
            setattr(organization, field, value)

    if logo is False and organization.logo:
        changed["logo"] = [organization.logo.name, ""]
        organization.logo = ""
    elif logo:
        changed["logo"] = [organization.logo.name or "", getattr(logo, "name", "")]
        organization.logo = logo
    if changed:
        organization.save(update_fields=list(changed))

    if causes is not None:
        causes = _check_causes(kind=organization.kind, causes=causes)
        old_ids = set(organization.causes.values_list("pk", flat=True))
        new_ids = {cause.pk for cause in causes}
        if old_ids != new_ids:
            organization.causes.set(causes)
            changed["causes"] = [sorted(old_ids), sorted(new_ids)]

    if changed:
        audit_record(
            actor=by_user, action="organization.updated", target=organization, data={"changes": changed}
        )
    return organization
