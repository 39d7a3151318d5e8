"""Rate card writes: set or delete the price for one platform + format."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from creators.models import CreatorProfile, DeliverableFormat, Platform, RateCardItem
from creators.services.common import _ensure_owner
from creators.signals import announce_matching_change
from marketplace.errors import ValidationFailed
from marketplace.models import User
from marketplace.services import audit_record

MAX_PRICE = Decimal("999999999999.99")  # max_digits=14, decimal_places=2


@transaction.atomic
def rate_card_item_set(
    *,
    profile: CreatorProfile,
    actor: User,
    platform: str,
    format: str,
    price: Decimal,
    notes: str = "",
) -> RateCardItem:
    """Create or update the price for one platform + format; the currency is the profile's, now."""
    # Lock the profile: it serialises rate card writes and gives the currency to copy.
    profile = CreatorProfile.objects.select_for_update().get(pk=profile.pk)
    _ensure_owner(profile, actor)
    if platform not in Platform.values:
        raise ValidationFailed(_("Choose the platform from the list."), field="platform")
    if format not in DeliverableFormat.values:
        raise ValidationFailed(_("Choose the format from the list."), field="format")
    try:
        price = Decimal(str(price))
    except (InvalidOperation, ValueError):
        price = Decimal("NaN")
    if not price.is_finite() or price <= 0:
        raise ValidationFailed(_("Enter a price above 0, for example 1500000."), field="price")
    if price > MAX_PRICE or price != price.quantize(Decimal("0.01")):
        raise ValidationFailed(
            _("Enter a price with at most 2 decimals and below 1,000,000,000,000."), field="price"
        )
    notes = " ".join(str(notes or "").split())
    if len(notes) > 300:
        raise ValidationFailed(_("Keep the notes to 300 characters or fewer."), field="notes")

    item = RateCardItem.objects.filter(profile=profile, platform=platform, format=format).first()
    values = {"price": price, "currency": profile.currency, "notes": notes}
    if item is None:
        item = RateCardItem.objects.create(profile=profile, platform=platform, format=format, **values)
        action, previous = "rate_card_item.created", {}
    else:
        previous = {"price": str(item.price), "currency": item.currency}
        for field, value in values.items():
            setattr(item, field, value)
        item.save(update_fields=[*values, "updated_at"])
        action = "rate_card_item.updated"
    audit_record(
        actor=actor,
        action=action,
        target=item,
        data={"price": str(price), "currency": item.currency, "previous": previous},
    )
    announce_matching_change(profile.pk)
    return item


@transaction.atomic
def rate_card_item_delete(*, item: RateCardItem, actor: User) -> None:
    item = RateCardItem.objects.select_for_update().select_related("profile").get(pk=item.pk)
    _ensure_owner(item.profile, actor)
    audit_record(
        actor=actor,
        action="rate_card_item.deleted",
        target=item,
        data={
            "platform": item.platform,
            "format": item.format,
            "price": str(item.price),
            "currency": item.currency,
        },
    )
    announce_matching_change(item.profile_id)
    item.delete()
