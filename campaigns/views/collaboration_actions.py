"""Cancel, dispute, rate: each a small page with its own form, for the creator or the organization."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns import collaboration_selectors
from campaigns.forms.workspace import CancelForm, DisputeForm, RatingForm
from campaigns.models import Collaboration, Rating
from campaigns.services import conversation, workspace
from campaigns.services.workspace import CREATOR, ORGANIZATION
from campaigns.views.workspace import _back, _forbidden, _form_error
from marketplace.errors import DomainError, PermissionDeniedError

GET_POST = require_http_methods(["GET", "POST"])


def _side_page(request, pk, *, form_class, template, refusal, submit, success):
    """GET shows the form (or why it is not possible); POST calls `submit(collaboration, data)`."""
    collaboration, viewer = collaboration_selectors.collaboration_for_viewer(user=request.user, pk=pk)
    if not viewer.can_act or viewer.side not in (CREATOR, ORGANIZATION):
        return _forbidden(
            request,
            collaboration,
            PermissionDeniedError(
                _("Only the creator or the organization's owners and managers can do this.")
            ),
        )
    if request.method == "GET":
        reason = refusal(collaboration, viewer)
        if reason:
            messages.error(request, reason)
            return _back(collaboration)
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                submit(collaboration, form.cleaned_data)
            except PermissionDeniedError as error:
                return _forbidden(request, collaboration, error)
            except DomainError as error:
                if not _form_error(form, error):
                    messages.error(request, error.message)
                    return _back(collaboration)
            else:
                messages.success(request, success)
                return _back(collaboration)
        status = 400
    return render(
        request,
        template,
        {"collaboration": collaboration, "campaign": collaboration.campaign, "viewer": viewer, "form": form},
        status=status,
    )


@login_required
@GET_POST
def collaboration_cancel(request, pk):
    def refusal(collaboration, viewer):
        statuses = list(collaboration.deliverables.values_list("status", flat=True))
        return workspace.cancel_refusal(collaboration=collaboration, side=viewer.side, statuses=statuses)

    return _side_page(
        request,
        pk,
        form_class=CancelForm,
        template="campaigns/workspace/cancel.html",
        refusal=refusal,
        submit=lambda collaboration, data: workspace.collaboration_cancel(
            collaboration=collaboration, by_user=request.user, reason=data["reason"]
        ),
        success=_("The collaboration is cancelled and the other side has been told."),
    )


@login_required
@GET_POST
def dispute_raise(request, pk):
    return _side_page(
        request,
        pk,
        form_class=DisputeForm,
        template="campaigns/workspace/dispute.html",
        refusal=lambda collaboration, viewer: conversation.dispute_refusal(
            collaboration=collaboration, deliverables=list(collaboration.deliverables.all())
        ),
        submit=lambda collaboration, data: conversation.dispute_raise(
            collaboration=collaboration, by_user=request.user, reason=data["reason"]
        ),
        success=_("Your dispute is with Kolabo staff. The collaboration is paused until they decide."),
    )


@login_required
@GET_POST
def rate(request, pk):
    def refusal(collaboration, viewer):
        if collaboration.status != Collaboration.Status.COMPLETED:
            return _("You can rate once the collaboration is complete.")
        rated_side = Rating.Side.ORGANIZATION if viewer.side == CREATOR else Rating.Side.CREATOR
        if collaboration.ratings.filter(rated_side=rated_side).exists():
            return _("You have already rated this collaboration.")
        return None

    return _side_page(
        request,
        pk,
        form_class=RatingForm,
        template="campaigns/workspace/rate.html",
        refusal=refusal,
        submit=lambda collaboration, data: conversation.rating_create(
            collaboration=collaboration, by_user=request.user, score=data["score"], comment=data["comment"]
        ),
        success=_("Thank you for your rating."),
    )
