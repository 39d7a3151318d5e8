"""Serializers for roster import jobs."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.base import StatusField, StrictInput
from creators.models import RosterImportJob
from creators.roster.parsing import MAX_FILE_BYTES


class RosterImportIn(StrictInput):
    file = serializers.FileField(
        help_text="UTF-8 CSV with the roster template's columns, at most 50 MB and 100,000 rows."
    )
    valid_rows_only = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Import the valid rows even when others have problems (otherwise nothing is imported).",
    )

    class Meta:
        ref_name = "RosterImportInput"

    def validate_file(self, upload):
        if upload.size > MAX_FILE_BYTES:
            raise serializers.ValidationError(
                _("The file is larger than 50 MB. Split the file into smaller files and import each one.")
            )
        return upload


class RosterRowErrorOut(serializers.Serializer):
    line = serializers.IntegerField(help_text="The spreadsheet row; the header is line 1.")
    column = serializers.CharField()
    message = serializers.CharField()

    class Meta:
        ref_name = "RosterRowError"


class RosterImportJobOut(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    errors = RosterRowErrorOut(many=True, read_only=True)
    warnings = RosterRowErrorOut(
        many=True,
        read_only=True,
        help_text="Lines imported with a change, e.g. a niche slug we do not know left out (first 1,000).",
    )
    phase = serializers.ChoiceField(
        choices=RosterImportJob.Phase.choices, read_only=True, help_text="checking, then writing."
    )
    rows_done = serializers.IntegerField(read_only=True, help_text="Lines done in the current phase.")
    percent = serializers.IntegerField(
        read_only=True, help_text="Overall progress, 0-100: checking is the first half, writing the second."
    )
    status = StatusField("JobStatusEnum", RosterImportJob.Status.choices)

    class Meta:
        model = RosterImportJob
        fields = [
            "id",
            "organization",
            "status",
            "file_name",
            "valid_rows_only",
            "total",
            "created",
            "updated",
            "skipped",
            "written",
            "errors",
            "warnings",
            "phase",
            "rows_done",
            "percent",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields
        ref_name = "RosterImportJob"
