"""Every write to creator profiles, social accounts and rate cards goes through here.

The web forms and the future API call the same functions, so the "absurd metrics" rules live here,
not in the forms. One module per job: profiles, social_accounts, rate_cards (and common helpers).
Callers use `from creators import services`, so the public names are re-exported here.
"""

from creators.services.profiles import (
    MAX_NICHES,
    PROFILE_FIELDS,
    RESERVED_SLUGS,
    clean_profile_fields,
    creator_profile_create,
    creator_profile_update,
)
from creators.services.rate_cards import MAX_PRICE, rate_card_item_delete, rate_card_item_set
from creators.services.social_accounts import (
    COUNT_FIELDS,
    HANDLE_RE,
    SOCIAL_FIELDS,
    clean_social_fields,
    duplicate_handle_message,
    normalise_handle,
    social_account_create,
    social_account_delete,
    social_account_set_verified,
    social_account_update,
)

__all__ = [
    "COUNT_FIELDS",
    "HANDLE_RE",
    "MAX_NICHES",
    "MAX_PRICE",
    "PROFILE_FIELDS",
    "RESERVED_SLUGS",
    "SOCIAL_FIELDS",
    "clean_profile_fields",
    "clean_social_fields",
    "creator_profile_create",
    "creator_profile_update",
    "duplicate_handle_message",
    "normalise_handle",
    "rate_card_item_delete",
    "rate_card_item_set",
    "social_account_create",
    "social_account_delete",
    "social_account_set_verified",
    "social_account_update",
]
