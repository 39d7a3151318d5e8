"""Roster pages: the import (owners and managers; everyone else gets a 404), the import job with its
progress, the organization's roster with claim links, and the creator's claim / data page."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from brands.models import Organization
from brands.permissions import managed_organization_ids
from creators import selectors
from creators.forms.roster import RosterClaimForm, RosterImportForm
from creators.models import Cause, CreatorProfile, Niche
from creators.roster.claims import (
    claim_url,
    roster_data_delete,
    roster_profile_claim,
    roster_profile_for_token,
)
from creators.roster.jobs import roster_import_job_start
from creators.roster.parsing import COLUMNS, MAX_ROWS, OPTIONAL_COLUMNS, roster_template_csv
from creators.roster.validation import is_placeholder_email
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
    """Upload: the file is checked as a whole now, its rows in a background job (the job page)."""
    organizations = _editable_organizations(request)
    form = RosterImportForm(request.POST or None, request.FILES or None, organizations=organizations)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = roster_import_job_start(
                    organization=form.cleaned_data["organization"],
                    by_user=request.user,
                    content=upload.read(),
                    file_name=upload.name,
                    valid_rows_only=form.cleaned_data["valid_rows_only"],
                )
            except DomainError as error:
                form.add_error("file", str(error.message))
            else:
                return redirect("roster:job", pk=job.pk)
    jobs = selectors.roster_import_jobs_visible_to(request.user).select_related("organization")[:10]
    return render(
        request,
        "roster/import.html",
        {
            "form": form,
            "jobs": jobs,
            "organizations": organizations,
            "max_rows": MAX_ROWS,
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
def roster_job(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: a progress bar while it runs (the page reloads itself), then the report."""
    _editable_organizations(request)
    job = get_object_or_404(
        selectors.roster_import_jobs_visible_to(request.user).select_related("organization"), pk=pk
    )
    return render(request, "roster/job.html", {"job": job, "running": job.status in ("queued", "running")})


@login_required
@require_http_methods(["GET"])
def roster_creators(request: HttpRequest, org_pk: int) -> HttpResponse:
    """The organization's imported creators, claimed or not, with each unclaimed one's claim link."""
    organization = get_object_or_404(
        Organization.objects.filter(pk__in=managed_organization_ids(request.user)), pk=org_pk
    )
    profiles = selectors.roster_creators_visible_to(request.user, organization_id=org_pk)
    rows = [
        {
            "profile": profile,
            "email": "" if is_placeholder_email(profile.user.email) else profile.user.email,
            "claim_url": claim_url(profile) if profile.is_unclaimed_roster and profile.claim_token else "",
        }
        for profile in profiles[:500]
    ]
    return render(
        request,
        "roster/creators.html",
        {"organization": organization, "rows": rows, "total": profiles.count()},
    )


@login_required
@require_http_methods(["GET"])
def roster_template(request: HttpRequest) -> HttpResponse:
    _editable_organizations(request)
    response = HttpResponse(roster_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kolabo-roster-template.csv"'
    return response


@require_http_methods(["GET", "POST"])
def roster_claim(request: HttpRequest, token: str) -> HttpResponse:
    """The claim link: where the data came from, the lawful basis, claim the profile or delete it."""
    profile = roster_profile_for_token(token)
    if profile is None:
        return render(request, "roster/claim_gone.html", status=404)
    email = "" if is_placeholder_email(profile.user.email) else profile.user.email
    form = RosterClaimForm(request.POST or None, initial={"email": email})
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            try:
                roster_data_delete(profile=profile, token=token)
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                return render(request, "roster/deleted.html")
        elif request.user.is_authenticated:
            messages.error(request, _("Log out first: you are logged in to another Kolabo account."))
        elif form.is_valid():
            try:
                user = roster_profile_claim(
                    token=token, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your profile is yours now and listed on Kolabo."))
                return redirect("creators:profile_edit")
        status = 400
    return render(
        request,
        "roster/claim.html",
        {"profile": profile, "form": form, "accounts": profile.social_accounts.all()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def roster_my_data(request: HttpRequest) -> HttpResponse:
    """A claimed creator: where the imported data came from, and deleting it."""
    profile = CreatorProfile.objects.filter(user=request.user).select_related("roster_organization").first()
    if profile is None or not profile.roster_status:
        raise Http404
    if request.method == "POST":
        try:
            roster_data_delete(profile=profile, by_user=request.user)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The imported data is deleted and the organization is told."))
            return redirect("creators:profile_edit")
    return render(
        request, "roster/my_data.html", {"profile": profile, "accounts": profile.social_accounts.all()}
    )
