"""Shortlists: an organization's named lists of creators to consider and invite.

Owners and managers change them; every member (viewers too) reads them. Another organization's
shortlist is never found (404 in views).
"""

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from creators.models import CreatorProfile
from marketplace.errors import ValidationFailed
from marketplace.models import User
from marketplace.services import audit_record

from .models import Membership, Organization, Shortlist, ShortlistEntry
from .permissions import require_org_manager

NAME_MAX_LENGTH = Shortlist._meta.get_field("name").max_length


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Give the shortlist a name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed(
            _("Keep the name under %(limit)s characters.") % {"limit": NAME_MAX_LENGTH}, field="name"
        )
    return name


def _locked(shortlist: Shortlist) -> Shortlist:
    try:
        return Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    except Shortlist.DoesNotExist as error:
        raise ValidationFailed(_("This shortlist no longer exists.")) from error


def shortlist_create(*, organization: Organization, by_user: User, name: str) -> Shortlist:
    require_org_manager(organization=organization.pk, user=by_user)
    name = _clean_name(name)
    try:
        with transaction.atomic():
            shortlist = Shortlist.objects.create(organization=organization, name=name, created_by=by_user)
            audit_record(actor=by_user, action="shortlist.created", target=shortlist, data={"name": name})
    except IntegrityError as error:
        raise ValidationFailed(
            _("Your organization already has a shortlist called “%(name)s”.") % {"name": name}, field="name"
        ) from error
    return shortlist


def shortlist_add(*, shortlist: Shortlist, creator: CreatorProfile, by_user: User) -> ShortlistEntry:
    """Put the creator on the shortlist. Adding someone already there changes nothing."""
    require_org_manager(organization=shortlist.organization_id, user=by_user)
    with transaction.atomic():
        shortlist = _locked(shortlist)
        entry, created = ShortlistEntry.objects.get_or_create(
            shortlist=shortlist, creator=creator, defaults={"added_by": by_user}
        )
        if created:
            shortlist.save(update_fields=["updated_at"])
            audit_record(
                actor=by_user,
                action="shortlist.creator_added",
                target=shortlist,
                data={"creator": creator.pk},
            )
    return entry


def shortlist_remove(*, shortlist: Shortlist, creator: CreatorProfile, by_user: User) -> bool:
    """Take the creator off the shortlist; False when they were not on it."""
    require_org_manager(organization=shortlist.organization_id, user=by_user)
    with transaction.atomic():
        shortlist = _locked(shortlist)
        deleted, _rows = ShortlistEntry.objects.filter(shortlist=shortlist, creator=creator).delete()
        if deleted:
            shortlist.save(update_fields=["updated_at"])
            audit_record(
                actor=by_user,
                action="shortlist.creator_removed",
                target=shortlist,
                data={"creator": creator.pk},
            )
    return bool(deleted)


def shortlist_delete(*, shortlist: Shortlist, by_user: User) -> None:
    require_org_manager(organization=shortlist.organization_id, user=by_user)
    with transaction.atomic():
        shortlist = _locked(shortlist)
        audit_record(
            actor=by_user,
            action="shortlist.deleted",
            target=shortlist,
            data={"name": shortlist.name, "organization": shortlist.organization_id},
        )
        shortlist.delete()


# Reads


def shortlists_for_user(*, user: User) -> QuerySet[Shortlist]:
    """Every shortlist of every organization the user belongs to, with its size."""
    if user is None or not user.is_authenticated:
        return Shortlist.objects.none()
    return (
        Shortlist.objects.filter(organization__memberships__user=user)
        .select_related("organization")
        .annotate(entry_count=Count("entries", distinct=True))
        .order_by("organization__name", "name", "pk")
    )


def shortlist_for_member(*, user: User, pk: int) -> tuple[Shortlist, Membership]:
    """The shortlist with its entries and the user's membership in its organization; 404 for outsiders."""
    if user is None or not user.is_authenticated:
        raise Http404
    shortlist = (
        Shortlist.objects.select_related("organization")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=ShortlistEntry.objects.select_related("creator").prefetch_related(
                    "creator__social_accounts", "creator__niches"
                ),
            )
        )
        .filter(pk=pk, organization__memberships__user=user)
        .first()
    )
    if shortlist is None:
        raise Http404
    membership = Membership.objects.get(organization_id=shortlist.organization_id, user=user)
    return shortlist, membership
