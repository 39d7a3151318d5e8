"""What the creators app announces; other apps listen without creators importing them."""

from django.db import transaction
from django.dispatch import Signal

# Sent after commit when a creator's matching inputs changed (profile, accounts, metrics or rates).
# Keyword argument: profile_ids (a sorted list). campaigns re-ranks its recommendations on it.
matching_inputs_changed = Signal()


def announce_matching_change(*profile_ids: int) -> None:
    ids = sorted(set(profile_ids))
    transaction.on_commit(lambda: matching_inputs_changed.send(sender=None, profile_ids=ids))
