"""Roster import page for organization owners and managers; everyone else gets a 404."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from brands.models import Organization
from brands.permissions import managed_organization_ids
from creators.forms.roster import RosterImportForm
from creators.models import Cause, Niche
from creators.roster.importing import roster_import as roster_import_service
from creators.roster.parsing import COLUMNS, OPTIONAL_COLUMNS, roster_template_csv
from creators.taxonomy import LANGUAGES
from marketplace.errors import DomainError


def _editable_organizations(request: HttpRequest) -> list[Organization]:
    """Organizations the user owns or manages; a 404 when there are none (deny by default)."""
    organizations = list(
        Organization.objects.filter(pk__in=managed_organization_ids(request.user)).order_by("name", "pk")
    )
    if not organizations:
        raise Http404
    return organizations


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest) -> HttpResponse:
    organizations = _editable_organizations(request)
    form = RosterImportForm(request.POST or None, request.FILES or None, organizations=organizations)
    result, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = roster_import_service(
                    organization=form.cleaned_data["organization"],
                    by_user=request.user,
                    content=upload.read(),
                    valid_rows_only=form.cleaned_data["valid_rows_only"],
                )
            except DomainError as error:
                form.add_error("file", str(error.message))
            else:
                status = 400 if result.errors and not result.written else 200
    return render(
        request,
        "roster/import.html",
        {
            "form": form,
            "result": result,
            "columns": [(column, column not in OPTIONAL_COLUMNS) for column in COLUMNS],
            # The template file itself, so the example is quoted exactly as a download is.
            "example": roster_template_csv(),
            "niches": Niche.objects.all(),
            "causes": Cause.objects.all(),
            "languages": LANGUAGES,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def roster_template(request: HttpRequest) -> HttpResponse:
    _editable_organizations(request)
    response = HttpResponse(roster_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kolabo-roster-template.csv"'
    return response
