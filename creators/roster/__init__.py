"""Roster CSV import for agencies and NGOs: creators and their social accounts in one file.

Three stages, so each can be read and tested on its own:
1. `roster_parse` (pure): bytes → rows of raw strings, or a `RosterFileError` for a malformed file.
2. `_validate_rows`: each row through the same cleaners the creator forms use (creators/services.py),
   plus the checks only an import needs (duplicates in the file, accounts owned by someone else).
3. `roster_import` (the service): one transaction; all-or-nothing unless `valid_rows_only`.

Re-importing the same file updates: the user is keyed by email, the account by platform + handle.
The causes and audience columns replace what an earlier import saved; a file without one of the
columns added later (KEPT_WHEN_ABSENT) leaves that value as it is.
An organization may only update creators its own roster import created and who have not claimed
their account yet (no usable password, never logged in): once a creator claims the account, the
creator owns it.

The report never tells whether an email has a Kolabo account (anyone's, staff included): a line
whose email belongs to an account the organization does not manage reads exactly like a line that
was imported (counted as created), changes nothing, and the account's owner is told by email that
the organization listed them. Its handle is checked as for a new creator, so the pair cannot tell
either.
"""
