"""The one write behind the public impact page: a creator's consent to be named on it."""

from django.db import transaction
from django.utils.translation import gettext as _

from analytics.impact import impact_cache_clear
from campaigns.models import Campaign, Collaboration
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.services import audit_record


def collaboration_credit_set(*, collaboration: Collaboration, by_user, credited: bool) -> Collaboration:
    """Name (or stop naming) the creator on the campaign's public impact page.

    Only the creator decides: the organization cannot name a creator who did not opt in. Opting out
    is always possible; opting in needs a cause campaign and a collaboration that was not cancelled.
    """
    with transaction.atomic():
        locked = (
            Collaboration.objects.select_for_update()
            .select_related("campaign", "creator")
            .get(pk=collaboration.pk)
        )
        if by_user is None or locked.creator.user_id != by_user.pk:
            raise PermissionDeniedError(
                _("Only the creator decides whether they are named on the impact page.")
            )
        if credited and locked.campaign.kind != Campaign.Kind.CAUSE:
            raise ValidationFailed(_("Only cause campaigns have a public impact page."), field="credited")
        if credited and locked.status == Collaboration.Status.CANCELLED:
            raise InvalidTransition(
                _("This collaboration was cancelled, so it is not shown on the impact page.")
            )
        if locked.credited_publicly == credited:
            return locked
        locked.credited_publicly = credited
        locked.save(update_fields=["credited_publicly"])
        audit_record(
            actor=by_user,
            action="collaboration.credit_opt_in" if credited else "collaboration.credit_opt_out",
            target=locked,
        )
        campaign_id = locked.campaign_id
        # The page is cached for a few minutes; the creator's choice shows at once.
        transaction.on_commit(lambda: impact_cache_clear(campaign_id))
    return locked
