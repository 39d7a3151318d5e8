"""Pieces every campaigns service shares: the creator check and status moves.

Who may act for an organization is decided in brands.permissions.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from marketplace.errors import InvalidTransition, PermissionDeniedError
from marketplace.models import User
from marketplace.services import audit_record


def lock_campaign(campaign_id: int) -> Campaign:
    """Lock the campaign row, with its organization. Every campaign-wide service takes this lock
    first, then the offer or collaboration rows, so they never wait on each other in a circle."""
    return Campaign.objects.select_for_update(of=("self",)).select_related("organization").get(pk=campaign_id)


def require_creator(*, creator, user: User) -> None:
    if creator.user_id != user.pk:
        raise PermissionDeniedError(_("Only the creator can do this."))


def transition(
    obj: models.Model,
    to_status: str,
    *,
    actor: User | None,
    action: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    extra_fields: tuple[str, ...] = (),
) -> None:
    """Move `obj` (already locked by the caller) along its TRANSITIONS table and audit it."""
    from_status = obj.status
    if to_status not in obj.TRANSITIONS[from_status]:
        raise InvalidTransition(
            _("This cannot be done while the %(thing)s is “%(status)s”.")
            % {"thing": obj._meta.verbose_name, "status": obj.get_status_display()}
        )
    obj.status = to_status
    obj.save(update_fields=["status", *extra_fields])
    audit_record(
        actor=actor,
        action=action,
        target=obj,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
    )
