"""Helpers the creator services share: formatting numbers in messages, the owner check."""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from creators.models import CreatorProfile
from marketplace.errors import PermissionDeniedError
from marketplace.models import User


def _number(value: int | Decimal) -> str:
    """A number grouped the way the reader's language groups thousands (5,000 / 5.000)."""
    return formats.number_format(value, force_grouping=True)


def _ensure_owner(profile: CreatorProfile, actor: User) -> None:
    if actor.pk != profile.user_id:
        raise PermissionDeniedError(_("You can only change your own creator profile."))
