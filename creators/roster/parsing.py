"""Roster CSV reading: the columns, the template, and bytes → rows of raw strings (pure)."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from marketplace.errors import ValidationFailed

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
# Rows validated and written together: bounded memory and one set of bulk INSERTs per chunk.
CHUNK_ROWS = 5_000
LIST_SEPARATOR = "|"
COLUMNS = (
    "email",
    "display_name",
    "country",
    "city",
    "languages",
    "niches",
    "causes",
    "open_to_pro_bono",
    "platform",
    "handle",
    "followers",
    "following",
    "posts",
    "avg_likes",
    "avg_comments",
    "avg_views",
    "audience_countries",
    "audience_languages",
    "metrics_date",
    "currency",
    "bio",
)
# Columns added after the first template: files made from the older one must keep working, and
# importing such a file again must not wipe what the newer columns saved.
KEPT_WHEN_ABSENT = frozenset(
    {"causes", "open_to_pro_bono", "audience_countries", "audience_languages", "bio"}
)
# Only platform and handle must be in the header. Every other column may be left out or empty:
# see DEFAULTS (the upload page documents them). An empty count is unknown (NULL), never 0.
REQUIRED_COLUMNS = ("platform", "handle")
OPTIONAL_COLUMNS = frozenset(COLUMNS) - frozenset(REQUIRED_COLUMNS)
AUDIENCE_COLUMNS = ("audience_countries", "audience_languages")
AUDIENCE_EXAMPLES = {"audience_countries": "ID:82|MY:6.5", "audience_languages": "id:85|en:10"}
YES_NO = {
    "": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "ya": True,
    "tidak": False,
}
EXAMPLE = {
    "email": "ayu@example.com",
    "display_name": "Ayu Lestari",
    "country": "ID",
    "city": "Jakarta",
    "languages": "id|en",
    "niches": "food|zero-waste",
    "causes": "waste-reduction|environment",
    "open_to_pro_bono": "yes",
    "platform": "instagram",
    "handle": "ayu.cooks",
    "followers": "25000",
    "following": "400",
    "posts": "320",
    "avg_likes": "1100",
    "avg_comments": "150",
    "avg_views": "0",
    "audience_countries": AUDIENCE_EXAMPLES["audience_countries"],
    "audience_languages": AUDIENCE_EXAMPLES["audience_languages"],
    "metrics_date": "2025-01-31",
    "currency": "IDR",
    "bio": "Home cooking from Jakarta with less waste: recipes for leftovers and market finds.",
}


class RosterFileError(ValidationFailed):
    """The file as a whole cannot be read; no row was looked at."""


@dataclass(frozen=True)
class RosterRow:
    line: int
    values: dict[str, str]


def roster_template_csv() -> str:
    """The header and one example row, for the downloadable template."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE[column] for column in COLUMNS)
    return buffer.getvalue()


# --- 1. Parsing (pure) -------------------------------------------------------------------------


def _decoded(content: bytes) -> str:
    if len(content) > MAX_FILE_BYTES:
        raise RosterFileError(
            _("The file is larger than 50 MB. Split the file into smaller files and import each one.")
        )
    try:
        # utf-8-sig also reads plain UTF-8 and drops the byte-order mark Excel writes.
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterFileError(
            _("The file is not UTF-8 text. Save the file as CSV UTF-8 (Comma delimited) and upload it again.")
        ) from exc
    if not text.strip():
        raise RosterFileError(_("The file is empty. Download the template and fill it in."))
    if "\x00" in text:
        raise RosterFileError(_("This is not a CSV file. Save the file as CSV UTF-8 and upload it again."))
    return text


def roster_rows(content: bytes) -> Iterator[RosterRow]:
    """Decode the file and yield its rows one at a time (a 100,000-row file is never held as rows).

    Line numbers are the rows a spreadsheet shows, the header being line 1: a quoted cell with line
    breaks (a long bio) stays on its own line and does not shift the numbers of the lines after it.
    """
    text = _decoded(content)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    count = 0
    try:
        header = [column.strip().lower() for column in next(reader)]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise RosterFileError(
                _(
                    "The header row is missing these columns: %(columns)s. Download the template to see them all."
                )
                % {"columns": ", ".join(missing)}
            )
        # A column left out of the header has no key at all when it is one of KEPT_WHEN_ABSENT.
        columns = [column for column in COLUMNS if column in header or column not in KEPT_WHEN_ABSENT]
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, often left at the end by spreadsheets
            if count >= MAX_ROWS:
                raise RosterFileError(
                    _("The file has more than %(max)s rows. Split the file and import each part.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
            values = dict.fromkeys(columns, "")
            for column, cell in zip(header, cells, strict=False):
                if column in values:
                    values[column] = cell.strip()
            if len(cells) > len(header):
                values["__extra__"] = "yes"
            count += 1
            yield RosterRow(line=line, values=values)
    except csv.Error as exc:
        raise RosterFileError(
            _("Line %(line)s cannot be read as CSV (%(detail)s). Check the quotes on that line.")
            % {"line": reader.line_num, "detail": str(exc)}
        ) from exc
    if not count:
        raise RosterFileError(_("The file has a header but no creators. Add one row per social account."))


def roster_chunks(content: bytes, size: int = CHUNK_ROWS) -> Iterator[list[RosterRow]]:
    chunk: list[RosterRow] = []
    for row in roster_rows(content):
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def roster_count(content: bytes) -> int:
    """Check the whole file can be read (a RosterFileError if not) and count its rows."""
    return sum(1 for _row in roster_rows(content))


def roster_parse(content: bytes) -> list[RosterRow]:
    """All the rows at once, for small files and tests; imports use roster_chunks."""
    return list(roster_rows(content))
