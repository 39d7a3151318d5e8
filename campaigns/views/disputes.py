"""Staff: the queue of open disputes and their resolution."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import visibility
from campaigns.forms.workspace import DisputeResolveForm
from campaigns.models import CollaborationDeliverable
from campaigns.services import conversation, workspace
from campaigns.views.workspace import _forbidden, _form_error
from marketplace import permissions as staff_permissions
from marketplace.decorators import staff_page
from marketplace.errors import DomainError, PermissionDeniedError


def _dispute_queue_page(request, *, failed: dict | None = None, status: int = 200) -> HttpResponse:
    failed = failed or {}
    disputes = list(
        conversation.disputes_open().prefetch_related(
            Prefetch(
                "collaboration__deliverables",
                queryset=CollaborationDeliverable.objects.select_related("spec"),
            )
        )
    )
    rows = [
        {
            "dispute": dispute,
            "deliverables": [
                {"deliverable": d, "label": workspace.deliverable_label(d)}
                for d in dispute.collaboration.deliverables.all()
            ],
            "form": failed.get(dispute.pk) or DisputeResolveForm(auto_id=f"id_x{dispute.pk}_%s"),
        }
        for dispute in disputes
    ]
    return render(
        request,
        "campaigns/workspace/dispute_queue.html",
        {
            "rows": rows,
            "recent": conversation.disputes_recently_resolved(),
        },
        status=status,
    )


@staff_page(staff_permissions.can_handle_disputes)
def dispute_queue(request):
    return _dispute_queue_page(request)


@require_POST
@staff_page(staff_permissions.can_handle_disputes)
def dispute_resolve(request, pk):
    dispute = get_object_or_404(visibility.disputes_visible_to(request.user), pk=pk)
    form = DisputeResolveForm(request.POST, auto_id=f"id_x{dispute.pk}_%s")
    if form.is_valid():
        try:
            conversation.dispute_resolve(
                dispute=dispute,
                by_user=request.user,
                outcome=form.cleaned_data["outcome"],
                resolution=form.cleaned_data["resolution"],
            )
        except PermissionDeniedError as error:
            return _forbidden(request, None, error)
        except DomainError as error:
            if not _form_error(form, error):
                messages.error(request, error.message)
                return redirect("campaigns:dispute_queue")
        else:
            messages.success(request, _("The dispute is resolved and both sides have been told."))
            return redirect("campaigns:dispute_queue")
    return _dispute_queue_page(request, failed={dispute.pk: form}, status=400)
