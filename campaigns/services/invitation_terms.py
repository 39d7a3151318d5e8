"""What an offer and a counter-offer share: how long an invitation stays open, and the checks on
its fee and message."""

from decimal import Decimal

from django.utils.translation import gettext as _

from campaigns.models import Invitation
from marketplace.errors import ValidationFailed

INVITATION_TTL_DAYS = 7
MESSAGE_MAX_LENGTH = Invitation._meta.get_field("message").max_length


def clean_fee(fee: Decimal | None, *, field: str) -> None:
    if fee is None:
        raise ValidationFailed(_("Enter a fee (0 for unpaid work)."), field=field)
    if fee < 0:
        raise ValidationFailed(_("The fee cannot be negative."), field=field)


def clean_message(message: str, *, field: str) -> str:
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationFailed(
            _("Keep the message under %(limit)s characters.") % {"limit": MESSAGE_MAX_LENGTH}, field=field
        )
    return message
