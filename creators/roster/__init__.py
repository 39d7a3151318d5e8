"""Roster CSV import for agencies and NGOs: creators and their social accounts in one file.

Three stages, so each can be read and tested on its own:
1. `roster_rows` / `roster_chunks` (pure): bytes → rows of raw strings, streamed, or a
   `RosterFileError` for a malformed file (at most 100,000 lines and 50 MB).
2. `_validate_rows`: each row through the same cleaners the creator forms use (creators/services.py),
   plus the checks only an import needs (duplicates in the file, accounts owned by someone else).
3. `roster_import` (the service): chunks of 5,000 lines, bulk INSERTs; a checking pass first, so
   nothing is written when a line has a problem, unless `valid_rows_only`.
`jobs` runs it in the background with its progress on the job; `claims` holds consent.

Only platform and handle are required; every other column may be empty or left out, with the
defaults the upload page states (importing._profile_defaults). An empty count is unknown (NULL).
Re-importing the same file updates: the user is keyed by email (a line without one gets a
placeholder address per account, validation.placeholder_email), the account by platform + handle.
The causes and audience columns replace what an earlier import saved; a file without one of the
columns added later (KEPT_WHEN_ABSENT) leaves that value as it is.
Imported creators are "roster, unclaimed": private to the importing organization until they claim
the profile (claims.py). An organization may only update its own unclaimed roster creators: once a
creator claims the profile (or sets a password, or logs in), the creator owns it.

The report never tells whether an email has a Kolabo account (anyone's, staff included): a line
whose email belongs to an account the organization does not manage reads exactly like a line that
was imported (counted as created), changes nothing, and the account's owner is told by email that
the organization listed them. Its handle is checked as for a new creator, so the pair cannot tell
either.
"""
