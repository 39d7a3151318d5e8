"""Conversion pages (settings, list, CSV upload and report) and the two public inlets (signed
postback, pixel). Views validate input, call a service, render."""

import base64
import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api.errors import error_body
from campaigns.models import Campaign
from campaigns.selectors.organizations import campaign_for_member
from marketplace.errors import DomainError, ValidationFailed
from tracking import conversion_import, postback
from tracking.conversions import conversion_record_result
from tracking.forms import ConversionFilterForm, ConversionImportForm, TrackingSettingsForm, settings_initial
from tracking.models import Conversion, ConversionImport
from tracking.selectors import campaign_conversions, conversion_goal_totals
from tracking.settings_services import postback_secret_rotate, tracking_settings_of, tracking_settings_update

PAGE_SIZE = 50
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
KCLID_COOKIE = "kclid"


def _forbidden(request: HttpRequest, campaign: Campaign, message: str) -> HttpResponse:
    return render(
        request,
        "brands/forbidden.html",
        {"organization": campaign.organization, "message": str(message)},
        status=403,
    )


def _managers_only() -> str:
    return _("Only owners and managers of the organization can do this.")


def _base_context(campaign, membership, **extra) -> dict:
    return {
        "campaign": campaign,
        "organization": campaign.organization,
        "membership": membership,
        "section": "campaigns",
        "can_edit": membership.can_edit_org(),
        **extra,
    }


# Settings


def _settings_page(request, campaign, membership, *, form=None, new_secret="", status=200):
    settings = tracking_settings_of(campaign)
    goals = list(campaign.conversion_goals.all())
    if form is None:
        form = TrackingSettingsForm(campaign=campaign, initial=settings_initial(settings, goals))
    if not membership.can_edit_org():
        for field in form.fields.values():
            field.disabled = True
    postback_url = request.build_absolute_uri(reverse("tracking:postback", args=[campaign.pk]))
    pixel_url = request.build_absolute_uri(reverse("tracking:pixel", args=[campaign.pk]))
    example_goal = next((goal for goal in goals if goal.has_amount), goals[0] if goals else None)
    context = _base_context(
        campaign,
        membership,
        form=form,
        settings=settings,
        goals=goals,
        new_secret=new_secret,
        postback_url=postback_url,
        pixel_url=pixel_url,
        example_goal=example_goal.kind if example_goal else "signup",
        example_amount="150000" if example_goal and example_goal.has_amount else "",
    )
    return render(request, "tracking/conversions/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tracking_settings(request, pk):
    campaign, membership = campaign_for_member(user=request.user, pk=pk)
    if request.method == "GET":
        return _settings_page(request, campaign, membership)
    if not membership.can_edit_org():
        return _forbidden(request, campaign, _managers_only())
    form = TrackingSettingsForm(request.POST, campaign=campaign)
    if form.is_valid():
        try:
            tracking_settings_update(
                campaign=campaign, by_user=request.user, goals=form.goals(), **form.settings_fields()
            )
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        else:
            messages.success(request, _("Tracking settings saved."))
            return redirect("tracking:settings", pk=campaign.pk)
    return _settings_page(request, campaign, membership, form=form, status=400)


@login_required
@require_POST
def secret_rotate(request, pk):
    campaign, membership = campaign_for_member(user=request.user, pk=pk)
    if not membership.can_edit_org():
        return _forbidden(request, campaign, _managers_only())
    try:
        secret = postback_secret_rotate(campaign=campaign, by_user=request.user)
    except DomainError as error:
        return _forbidden(request, campaign, error.message)
    # Rendered, not redirected: the secret is in clear on this one answer only.
    return _settings_page(request, campaign, membership, new_secret=secret)


# Conversions list


@login_required
@require_GET
def conversion_list(request, pk):
    campaign, membership = campaign_for_member(user=request.user, pk=pk)
    goals = list(campaign.conversion_goals.all())
    form = ConversionFilterForm(request.GET or None, goals=goals)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = campaign_conversions(
        campaign=campaign, goal_kind=filters.get("goal", ""), attributed=filters.get("attributed", "")
    )
    goal_totals = conversion_goal_totals(campaign=campaign, goals=goals)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = _base_context(
        campaign, membership, form=form, page=page, goal_totals=goal_totals, query=query.urlencode()
    )
    return render(request, "tracking/conversions/list.html", context)


# CSV upload


@login_required
@require_http_methods(["GET", "POST"])
def conversion_upload(request, pk):
    campaign, membership = campaign_for_member(user=request.user, pk=pk)
    if not membership.can_edit_org():
        return _forbidden(request, campaign, _managers_only())
    form = ConversionImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = conversion_import.conversion_import_run(
                    campaign=campaign, by_user=request.user, file_name=upload.name, content=upload.read()
                )
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                return redirect("tracking:conversion_import_report", pk=campaign.pk, import_pk=report.pk)
        status = 400
    imports = ConversionImport.objects.filter(campaign=campaign)[:10]
    goals = list(campaign.conversion_goals.all())
    context = _base_context(
        campaign,
        membership,
        form=form,
        imports=imports,
        goals=goals,
        columns=conversion_import.COLUMNS,
        max_rows=conversion_import.MAX_ROWS,
    )
    return render(request, "tracking/conversions/upload.html", context, status=status)


@login_required
@require_GET
def conversion_import_report(request, pk, import_pk):
    campaign, membership = campaign_for_member(user=request.user, pk=pk)
    report = get_object_or_404(
        ConversionImport.objects.select_related("uploaded_by"), pk=import_pk, campaign=campaign
    )
    refused = sum(1 for problem in report.problems if problem.get("outcome") == conversion_import.REFUSED)
    context = _base_context(campaign, membership, report=report, refused=refused)
    return render(request, "tracking/conversions/import_report.html", context)


@login_required
@require_GET
def conversion_sample_csv(request, pk):
    campaign_for_member(user=request.user, pk=pk)
    response = HttpResponse(conversion_import.sample_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kolabo-conversions-sample.csv"'
    return response


# Public inlets: no session, no CSRF (a partner's server and a browser on the partner's site)


@csrf_exempt
@require_POST
def postback_receive(request, campaign_pk):
    campaign = Campaign.objects.filter(pk=campaign_pk).first()
    if campaign is None:
        return JsonResponse(
            error_body(404, "not_found", _("No campaign has this id: check the postback URL.")), status=404
        )
    body = request.body
    if len(body) > postback.MAX_BODY_BYTES:
        return JsonResponse(
            error_body(
                413, "request_too_large", _("The body is larger than 64 KB: send one conversion per request.")
            ),
            status=413,
        )
    answer = postback.postback_receive(
        campaign=campaign,
        timestamp=request.headers.get(postback.TIMESTAMP_HEADER, ""),
        signature=request.headers.get(postback.SIGNATURE_HEADER, ""),
        body=body,
    )
    if answer.status >= 400:
        return JsonResponse(
            error_body(answer.status, answer.code, answer.detail, answer.fields), status=answer.status
        )
    return JsonResponse(answer.data, status=answer.status)


def _gif() -> HttpResponse:
    response = HttpResponse(PIXEL_GIF, content_type="image/gif")
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0"
    response["Pragma"] = "no-cache"
    response["Expires"] = "0"
    return response


@require_GET
def pixel(request, campaign_pk):
    """Always the 1×1 GIF: a pixel cannot show an error. Records the conversion when it is valid;
    only a real click id (query or the kclid cookie) or promo code attributes it."""
    params = request.GET
    campaign = Campaign.objects.filter(pk=campaign_pk).first()
    external_id = params.get("conversion_id", "").strip()
    if campaign is None or not external_id:
        return _gif()
    # A pixel cannot show an error: an invalid conversion is simply not recorded.
    with contextlib.suppress(ValidationFailed):
        conversion_record_result(
            campaign=campaign,
            goal_kind=params.get("goal", ""),
            external_id=external_id,
            occurred_at=None,  # a pixel fires when the conversion happens
            amount=params.get("amount") or None,
            click_token=params.get("kclid", "") or request.COOKIES.get(KCLID_COOKIE, ""),
            promo_code=params.get("promo", ""),
            source=Conversion.Source.PIXEL,
        )
    return _gif()
