"""Date rows the way they would have been written that day: the ledger is append-only (a database
trigger refuses UPDATE) and auto_now_add takes the clock, so tests set the clock, not the row."""

from contextlib import contextmanager
from unittest import mock

from django.utils import timezone


@contextmanager
def clock_at(when):
    with mock.patch.object(timezone, "now", return_value=when):
        yield
