"""The staff payout review: the queue, bulk approval and one payout's page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from marketplace import permissions as staff_permissions
from marketplace.decorators import staff_page
from marketplace.errors import DomainError
from marketplace.money import format_money
from payments import commission_selectors, selectors
from payments.forms import (
    PayoutBulkApproveForm,
    PayoutCloseForm,
    PayoutHoldForm,
    PayoutQueueFilterForm,
    PayoutRejectForm,
)
from payments.models import Payout
from payments.services import payouts

QUEUE_PAGE_SIZE = 50


# Login, then the payout reviewer role (others get a 404), then MFA.
payout_reviewer_page = staff_page(staff_permissions.can_review_payouts)


def _queue_url(status: str = "") -> str:
    url = reverse("payments:payout_queue")
    return f"{url}?{urlencode({'status': status})}" if status else url


@payout_reviewer_page
def payout_queue(request):
    filter_form = PayoutQueueFilterForm(request.GET)
    status = filter_form.status_choice()
    # A commission payout shows its accrual (conversions counted) in the same query.
    queue = selectors.payout_queue(status=status).select_related("collaboration__commission_accrual")
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/payout_queue.html",
        {
            "filter_form": filter_form,
            "status": status,
            "page": page,
            "query": urlencode({"status": status}),
            "reviewable": Payout.REVIEWABLE,
        },
    )


@payout_reviewer_page
@require_POST
def payouts_bulk_approve(request):
    form = PayoutBulkApproveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_queue_url(form.cleaned_data.get("status", "")))
    ids = form.cleaned_data["payouts"]
    results = payouts.payouts_approve_many(payout_ids=ids, by_user=request.user)
    approved = [pk for pk, refusal in results.items() if not refusal]
    if approved:
        # Sending may already have ended (tasks run inline in the default run): say what happened.
        outcome = dict(Payout.objects.filter(pk__in=approved).values_list("pk", "status"))
        paid = sum(1 for pk in approved if outcome.get(pk) == Payout.Status.PAID)
        failed = [pk for pk in approved if outcome.get(pk) == Payout.Status.FAILED]
        sending = len(approved) - paid - len(failed)
        if paid:
            messages.success(
                request,
                ngettext("%(count)s payout approved and paid.", "%(count)s payouts approved and paid.", paid)
                % {"count": paid},
            )
        if sending:
            messages.success(
                request,
                ngettext(
                    "%(count)s payout approved; its transfer is being sent to Stripe.",
                    "%(count)s payouts approved; their transfers are being sent to Stripe.",
                    sending,
                )
                % {"count": sending},
            )
        for pk in failed:
            messages.error(
                request,
                _("Payout #%(id)s was approved but Stripe did not accept it; open it to retry or close it.")
                % {"id": pk},
            )
    for pk, refusal in sorted(results.items()):
        if refusal:
            messages.error(
                request, _("Payout #%(id)s not approved: %(reason)s") % {"id": pk, "reason": refusal}
            )
    missing = len(set(ids) - set(results))
    if missing:
        messages.error(
            request,
            ngettext(
                "%(count)s selected payout no longer exists.",
                "%(count)s selected payouts no longer exist.",
                missing,
            )
            % {"count": missing},
        )
    return redirect(_queue_url(form.cleaned_data["status"]))


def _field_label(action: str, field: str | None) -> str:
    """The label a service error's field has on the review form, so staff see where to fix it."""
    form_class = {"reject": PayoutRejectForm, "hold": PayoutHoldForm, "close": PayoutCloseForm}.get(action)
    if not field or form_class is None or field not in form_class.base_fields:
        return field or ""
    return str(form_class.base_fields[field].label)


def _detail_page(request, pk, *, reject_form=None, hold_form=None, close_form=None, status=200):
    evidence = selectors.payout_evidence(payout_id=pk)
    if evidence is None:
        raise Http404
    evidence.update(
        {
            "reject_form": reject_form or PayoutRejectForm(),
            "hold_form": hold_form or PayoutHoldForm(),
            "close_form": close_form or PayoutCloseForm(),
            "can_review": evidence["payout"].status in Payout.REVIEWABLE,
            "can_hold": evidence["payout"].status == Payout.Status.REQUESTED,
            "can_resolve": evidence["payout"].status == Payout.Status.FAILED,
            "accrual": commission_selectors.payout_accrual(payout=evidence["payout"]),
        }
    )
    return render(request, "payments/payout_detail.html", evidence, status=status)


@payout_reviewer_page
def payout_detail(request, pk):
    return _detail_page(request, pk)


@payout_reviewer_page
@require_POST
def payout_review(request, pk, action):
    if action not in ("approve", "reject", "hold", "retry", "close"):
        raise Http404
    payout = get_object_or_404(selectors.payouts_visible_to(request.user).select_related("creator"), pk=pk)
    amount = format_money(payout.amount, payout.currency)
    try:
        if action in ("approve", "retry"):
            if action == "approve":
                payouts.payout_approve(payout=payout, by_user=request.user)
            else:
                payouts.payout_retry(payout=payout, by_user=request.user)
            return _after_sending(request, payout, amount)
        elif action == "close":
            form = PayoutCloseForm(request.POST)
            if not form.is_valid():
                return _detail_page(request, pk, close_form=form, status=400)
            payouts.payout_close(payout=payout, by_user=request.user, reason=form.cleaned_data["reason"])
            done = _("Closed: %(amount)s is no longer owed to %(creator)s and went back to the campaign.")
        elif action == "reject":
            form = PayoutRejectForm(request.POST)
            if not form.is_valid():
                return _detail_page(request, pk, reject_form=form, status=400)
            payouts.payout_reject(payout=payout, by_user=request.user, reason=form.cleaned_data["reason"])
            done = _("Rejected: %(creator)s is told why they will not receive %(amount)s.")
        else:
            form = PayoutHoldForm(request.POST)
            if not form.is_valid():
                return _detail_page(request, pk, hold_form=form, status=400)
            payouts.payout_hold(payout=payout, by_user=request.user, note=form.cleaned_data["note"])
            done = _("On hold: %(amount)s to %(creator)s waits until you approve or reject it.")
    except DomainError as error:
        message = str(error.message)
        field = _field_label(action, error.field)
        if field:
            message = _("%(field)s: %(message)s") % {"field": field, "message": message}
        messages.error(request, message)
    else:
        messages.success(request, done % {"amount": amount, "creator": payout.creator.display_name})
    return redirect("payments:payout_detail", pk=pk)


def _after_sending(request, payout: Payout, amount: str):
    """Approving or retrying queues the transfer; when it already ran (tasks inline), say how it
    ended, so a failed payout is never announced as on its way."""
    payout.refresh_from_db(fields=["status", "failure_code"])
    creator = payout.creator.display_name
    if payout.status == Payout.Status.PAID:
        messages.success(
            request, _("Paid: %(amount)s was sent to %(creator)s.") % {"amount": amount, "creator": creator}
        )
    elif payout.status == Payout.Status.FAILED:
        messages.error(
            request,
            _("Stripe did not accept the transfer. %(next)s") % {"next": payout.staff_failure_next_step},
        )
    else:
        messages.success(
            request,
            _("Approved: the transfer of %(amount)s to %(creator)s is being sent to Stripe.")
            % {"amount": amount, "creator": creator},
        )
    return redirect("payments:payout_detail", pk=payout.pk)
