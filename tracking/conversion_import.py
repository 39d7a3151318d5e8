"""CSV upload of conversions, with a row-level report.

Columns (header names case-insensitive, any order, unknown columns ignored): goal, conversion_id,
occurred_at, amount, click_id, promo_code. Only goal and conversion_id are required.

Each row is recorded on its own (one transaction per row): good rows are kept when others are bad.
A row is refused, and listed in the report, for an unknown goal, a bad date, a missing or negative
amount, an unknown promo code or click id (so it can be corrected and uploaded again: recording it
without a creator could never be undone, its id would then count as already recorded) or an id
repeated in the file. An id already recorded counts once and is listed as such.
"""

import csv
import io
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from brands.permissions import require_org_manager
from campaigns.models import Campaign
from marketplace.errors import ValidationFailed
from marketplace.models import User
from marketplace.services import audit_record
from tracking import conversions
from tracking.models import Conversion, ConversionGoal, ConversionImport, TrackingSettings

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
COLUMNS = ("goal", "conversion_id", "occurred_at", "amount", "click_id", "promo_code")
REQUIRED_COLUMNS = ("goal", "conversion_id")
SAMPLE_ROWS = (
    ("signup", "SU-1001", "2025-03-01T14:30:00+07:00", "", "", "AYU10"),
    ("donation", "DN-2001", "2025-03-02 09:15", "150000", "k7Hq2xY9aBcD", ""),
    ("sale", "ORD-3001", "2025-03-03", "249000.50", "", "RAKA"),
)


class ConversionFileError(ValidationFailed):
    """The file as a whole cannot be read; no row was recorded."""


def sample_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(SAMPLE_ROWS)
    return buffer.getvalue()


def _decoded(content: bytes) -> str:
    if len(content) > MAX_FILE_BYTES:
        raise ConversionFileError(
            _("The file is larger than 5 MB. Split it into smaller files and upload each one."), field="file"
        )
    try:
        text = content.decode("utf-8-sig")  # also drops the byte-order mark Excel writes
    except UnicodeDecodeError:
        raise ConversionFileError(
            _("The file is not UTF-8 text. Save it as CSV UTF-8 (Comma delimited) and upload it again."),
            field="file",
        ) from None
    if "\x00" in text:
        raise ConversionFileError(
            _("This is not a CSV file. Save it as CSV UTF-8 and upload it again."), field="file"
        )
    if not text.strip():
        raise ConversionFileError(
            _("The file is empty. Download the sample CSV and fill it in."), field="file"
        )
    return text


def conversion_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line, values) per non-blank row, the header being line 1. Raises ConversionFileError."""
    reader = csv.reader(io.StringIO(_decoded(content), newline=""), strict=True)
    rows = []
    try:
        header = [column.strip().lower() for column in next(reader)]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise ConversionFileError(
                _(
                    "The header row is missing these columns: %(columns)s. Download the sample CSV to see them."
                )
                % {"columns": ", ".join(missing)},
                field="file",
            )
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ConversionFileError(
                    _("The file has more than %(max)s rows. Split it and upload each part.")
                    % {"max": f"{MAX_ROWS:,}"},
                    field="file",
                )
            values = dict.fromkeys(COLUMNS, "")
            for column, cell in zip(header, cells, strict=False):
                if column in values:
                    values[column] = cell.strip()
            # reader.line_num is the line the row ended on: right for rows without quoted line breaks
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise ConversionFileError(
            _("Line %(line)s cannot be read as CSV (%(detail)s). Check the quotes on that line.")
            % {"line": reader.line_num, "detail": str(exc)},
            field="file",
        ) from exc
    if not rows:
        raise ConversionFileError(
            _("The file has a header but no conversions. Add one row per conversion."), field="file"
        )
    return rows


def parse_occurred_at(value: str) -> datetime | None:
    """ISO 8601 with or without a time and a zone; a date alone is midnight, a time without a zone
    is Kolabo's time zone. Empty: None (the time of the upload). Raises ValidationFailed."""
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is not None:
            parsed = datetime.combine(day, time.min)
    if parsed is None:
        raise ValidationFailed(
            _("“%(value)s” is not a date. Write it like 2025-03-01 or 2025-03-01T14:30:00+07:00.")
            % {"value": value},
            field="occurred_at",
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


REFUSED = "refused"  # the row was not recorded: correct it and upload it again
COUNTED_ONCE = "duplicate"  # the id was already recorded (earlier or higher in the file)
RECORDED_UNATTRIBUTED = "unattributed"


def _problem(line: int, column: str, message: str, *, outcome: str = REFUSED) -> dict:
    return {"line": line, "column": column, "message": str(message), "outcome": outcome}


def conversion_import_run(
    *, campaign: Campaign, by_user: User, file_name: str, content: bytes
) -> ConversionImport:
    """Record the file's good rows and save the report. Raises ConversionFileError (nothing saved)
    when the file itself cannot be read."""
    require_org_manager(by_user, campaign.organization_id)
    rows = conversion_rows(content)
    goals = list(ConversionGoal.objects.filter(campaign=campaign))
    settings = TrackingSettings.objects.filter(campaign=campaign).first()
    report = ConversionImport(
        campaign=campaign, uploaded_by=by_user, file_name=file_name[:255], rows=len(rows)
    )
    problems = []
    seen: dict[str, int] = {}
    for line, values in rows:
        external_id = values["conversion_id"]
        if external_id and external_id in seen:
            report.duplicates += 1
            problems.append(
                _problem(
                    line,
                    "conversion_id",
                    _("Conversion id “%(id)s” is already on line %(line)s of this file: counted once.")
                    % {"id": external_id, "line": seen[external_id]},
                    outcome=COUNTED_ONCE,
                )
            )
            continue
        try:
            result = conversions.conversion_record_result(
                campaign=campaign,
                goal_kind=values["goal"],
                external_id=external_id,
                occurred_at=parse_occurred_at(values["occurred_at"]),
                amount=values["amount"] or None,
                click_token=values["click_id"],
                promo_code=values["promo_code"],
                source=Conversion.Source.CSV,
                refuse_unknown_touch=True,
                goals=goals,
                tracking_settings=settings,
            )
        except ValidationFailed as error:
            column = error.field if error.field in COLUMNS else ""
            problems.append(_problem(line, column, error.message))
            continue
        seen[result.conversion.external_id] = line
        if result.status == conversions.DUPLICATE:
            report.duplicates += 1
            problems.append(
                _problem(
                    line,
                    "conversion_id",
                    _("Conversion id “%(id)s” was already recorded: counted once, not added again.")
                    % {"id": external_id},
                    outcome=COUNTED_ONCE,
                )
            )
        elif result.status == conversions.UNATTRIBUTED:
            report.recorded += 1
            report.unattributed += 1
            if values["click_id"] or values["promo_code"]:
                problems.append(
                    _problem(
                        line,
                        "click_id" if values["click_id"] else "promo_code",
                        _("Recorded without a creator: %(reason)s")
                        % {"reason": conversions.reason_message(result.reason)},
                        outcome=RECORDED_UNATTRIBUTED,
                    )
                )
        else:
            report.recorded += 1
    report.problems = problems
    with transaction.atomic():
        report.save()
        audit_record(
            actor=by_user,
            action="tracking.conversions_imported",
            target=report,
            data={
                "campaign": campaign.pk,
                "rows": report.rows,
                "recorded": report.recorded,
                "duplicates": report.duplicates,
                "problems": len(problems),
            },
        )
    return report
