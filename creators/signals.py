"""What the creators app announces; other apps listen without creators importing them."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.dispatch import Signal

# Sent after commit when a creator's matching inputs changed (profile, accounts, metrics or rates).
# Keyword argument: profile_ids (a sorted list). campaigns re-ranks its recommendations on it.
matching_inputs_changed = Signal()

_gathering: ContextVar[set[int] | None] = ContextVar("matching_changes_gathering", default=None)


def announce_matching_change(*profile_ids: int) -> None:
    gathered = _gathering.get()
    if gathered is not None:
        gathered.update(profile_ids)
        return
    ids = sorted(set(profile_ids))
    transaction.on_commit(lambda: matching_inputs_changed.send(sender=None, profile_ids=ids))


@contextmanager
def matching_changes_gathered() -> Iterator[None]:
    """Announce the changes made inside as one, at the end: a bulk load of hundreds of creators
    then refreshes the matching data once instead of once per creator. Nothing is announced when
    the block raises (its writes are rolled back)."""
    gathered: set[int] = set()
    token = _gathering.set(gathered)
    try:
        yield
    finally:
        _gathering.reset(token)
    if gathered:
        announce_matching_change(*gathered)
