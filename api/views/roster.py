"""Roster import as a background job: upload the CSV, then poll the job for its report.

The file is checked as a whole at once (a malformed file answers 400 with the reason); rows are
validated and written by the job. Owners and managers only, or a read-write key made by one.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from api.access import caller, require_write
from api.serializers import roster as s
from api.views.base import IDEMPOTENCY_KEY, Endpoint
from api.views.core import organization_for
from brands.permissions import managed_organization_ids
from creators.models import RosterImportJob
from creators.roster.jobs import roster_import_job_start


class RosterImportCreate(Endpoint):
    serializer_class = s.RosterImportJobOut
    filter_backends = []  # filters are explicit query parameters, documented per operation
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Import a roster CSV in the background; poll the job for its report",
        operation_id="organizations_roster_imports_create",
        request={"multipart/form-data": s.RosterImportIn},
        responses={202: s.RosterImportJobOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, slug):
        organization = organization_for(request, slug)
        require_write(request, organization.pk)
        data = s.RosterImportIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        job = roster_import_job_start(
            organization=organization,
            by_user=request.user,
            content=upload.read(),
            file_name=upload.name or "",
            valid_rows_only=data.validated_data["valid_rows_only"],
        )
        job.organization = organization
        return Response(s.RosterImportJobOut(job).data, status=status.HTTP_202_ACCEPTED)


class RosterImportDetail(Endpoint):
    serializer_class = s.RosterImportJobOut
    filter_backends = []  # filters are explicit query parameters, documented per operation

    @extend_schema(
        summary="A roster import job: queued, running, done or failed, with counts and the row report",
        operation_id="roster_imports_retrieve",
    )
    def get(self, request, pk):
        job = (
            RosterImportJob.objects.filter(
                pk=pk, organization_id__in=managed_organization_ids(caller(request))
            )
            .select_related("organization")
            .defer("content")
            .first()
        )
        # Like the web import page: only the organization's owners and managers know of it.
        if job is None:
            raise Http404
        return Response(s.RosterImportJobOut(job).data)
