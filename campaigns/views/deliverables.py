"""Workspace actions on deliverables: submit a draft, review it, open its file, publish, confirm."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import collaboration_selectors, visibility
from campaigns.collaboration_selectors import Viewer
from campaigns.forms.workspace import CHOICES as POST_CHOICES
from campaigns.forms.workspace import PUBLISH_METRICS, PublishForm, ReviewForm, SubmissionForm
from campaigns.models import Collaboration, CollaborationDeliverable
from campaigns.services import drafts, publishing, workspace
from campaigns.services.common import require_creator
from campaigns.services.workspace import require_live
from campaigns.views.workspace import _back, _forbidden, _form_error, _workspace
from marketplace.decorators import mfa_redirect
from marketplace.errors import DomainError, InvalidTransition, PermissionDeniedError
from marketplace.private_files import private_file_response
from platforms.selectors import publish_post_picker
from platforms.services import post_capture

D = CollaborationDeliverable.Status


def _deliverable(request, pk) -> tuple[CollaborationDeliverable, Collaboration, Viewer]:
    deliverable = get_object_or_404(
        visibility.deliverables_visible_to(request.user).select_related("spec"), pk=pk
    )
    collaboration, viewer = collaboration_selectors.collaboration_for_viewer(
        user=request.user, pk=deliverable.collaboration_id
    )
    return deliverable, collaboration, viewer


@login_required
@require_POST
def submission_create(request, pk):
    deliverable, collaboration, viewer = _deliverable(request, pk)
    form = SubmissionForm(
        request.POST, request.FILES, max_mb=workspace.upload_max_mb(), auto_id=f"id_d{deliverable.pk}_%s"
    )
    if form.is_valid():
        try:
            submission = drafts.submission_create(
                deliverable=deliverable,
                by_user=request.user,
                link=form.cleaned_data["link"],
                caption=form.cleaned_data["caption"],
                file=form.cleaned_data["file"],
            )
        except PermissionDeniedError as error:
            return _forbidden(request, collaboration, error)
        except DomainError as error:
            if not _form_error(form, error):
                messages.error(request, error.message)
                return _back(collaboration, f"deliverable-{deliverable.pk}")
        else:
            messages.success(
                request,
                _("Round %(round)s of %(deliverable)s is with the organization for review.")
                % {"round": submission.round, "deliverable": workspace.deliverable_label(deliverable)},
            )
            return _back(collaboration, f"deliverable-{deliverable.pk}")
    return _workspace(request, collaboration, viewer, bound={("submit", deliverable.pk): form}, status=400)


@login_required
@require_POST
def submission_review(request, pk):
    submission = get_object_or_404(
        visibility.submissions_visible_to(request.user).select_related("deliverable__spec"), pk=pk
    )
    collaboration, viewer = collaboration_selectors.collaboration_for_viewer(
        user=request.user, pk=submission.deliverable.collaboration_id
    )
    form = ReviewForm(request.POST, auto_id=f"id_r{submission.pk}_%s")
    if form.is_valid():
        label = workspace.deliverable_label(submission.deliverable)
        try:
            if form.cleaned_data["action"] == ReviewForm.APPROVE:
                drafts.submission_approve(submission=submission, by_user=request.user)
                done = _("You approved %(deliverable)s. The creator can publish it now.")
            else:
                drafts.submission_request_changes(
                    submission=submission, by_user=request.user, feedback=form.cleaned_data["feedback"]
                )
                done = _("Your feedback on %(deliverable)s was sent to the creator.")
        except PermissionDeniedError as error:
            return _forbidden(request, collaboration, error)
        except DomainError as error:
            if not _form_error(form, error):
                messages.error(request, error.message)
                return _back(collaboration, f"deliverable-{submission.deliverable_id}")
        else:
            messages.success(request, done % {"deliverable": label})
            return _back(collaboration, f"deliverable-{submission.deliverable_id}")
    return _workspace(request, collaboration, viewer, bound={("review", submission.pk): form}, status=400)


@login_required
def submission_file(request, pk):
    """Drafts are private until published: only people who can see the workspace can open them."""
    submission = get_object_or_404(
        visibility.submissions_visible_to(request.user).select_related("deliverable"), pk=pk
    )
    _, viewer = collaboration_selectors.collaboration_for_viewer(
        user=request.user, pk=submission.deliverable.collaboration_id
    )
    if viewer.side == workspace.STAFF and (needs_mfa := mfa_redirect(request)):
        return needs_mfa
    if not submission.file:
        raise Http404
    return private_file_response(submission.file)


@login_required
@require_POST
def deliverable_publish(request, pk):
    deliverable, collaboration, viewer = _deliverable(request, pk)
    deliverable.collaboration = collaboration  # already loaded: the post picker reads it
    if "refresh" in request.POST:
        return _refresh_posts(request, deliverable, collaboration, viewer)
    form = PublishForm(request.POST, deliverable=deliverable, auto_id=f"id_p{deliverable.pk}_%s")
    if form.is_valid():
        try:
            publishing.deliverable_publish(
                deliverable=deliverable, by_user=request.user, **form.service_fields()
            )
        except PermissionDeniedError as error:
            return _forbidden(request, collaboration, error)
        except DomainError as error:
            if form.picked and error.field == "post_url":
                form.add_error("post", str(error.message))  # shown next to the list it was picked from
            elif not _form_error(form, error):
                messages.error(request, error.message)
                return _back(collaboration, f"deliverable-{deliverable.pk}")
        else:
            messages.success(
                request,
                _(
                    "Thanks! The organization has %(days)s days to confirm the post; after that it is confirmed automatically."
                )
                % {"days": workspace.AUTO_CONFIRM_DAYS},
            )
            return _back(collaboration, f"deliverable-{deliverable.pk}")
    return _workspace(request, collaboration, viewer, bound={("publish", deliverable.pk): form}, status=400)


def _refresh_posts(request, deliverable, collaboration, viewer):
    """The "Refresh my posts" button: list the account's posts as the platform has them now.

    A light read, not `refresh.connection_refresh`: that one runs only when the account is due (it
    would have to be forced), and then reads the profile and audience too, writes a metrics snapshot
    (which the follower-jump signal compares) and copies images, all on a click. This is one list
    call that writes nothing; the post picked then goes to the publish service, which reads and
    stores it as it does a pasted link. Nobody who may not publish makes Kolabo call the platform.
    """
    try:
        require_creator(creator=collaboration.creator, user=request.user)
        require_live(collaboration)
        if deliverable.status != D.APPROVED:
            raise InvalidTransition(_("Only an approved draft can be published."))
    except PermissionDeniedError as error:
        return _forbidden(request, collaboration, error)
    except DomainError as error:
        messages.error(request, error.message)
        return _back(collaboration, f"deliverable-{deliverable.pk}")
    picker = publish_post_picker(deliverable)
    live_posts = None
    if picker is not None:
        live_posts, problem = post_capture.recent_posts_read(picker.connection, limit=POST_CHOICES)
        if problem:
            messages.warning(request, problem)
    typed = {name: request.POST.get(name, "") for name in ("post_url", *PUBLISH_METRICS)}
    form = PublishForm(
        initial=typed, deliverable=deliverable, live_posts=live_posts, auto_id=f"id_p{deliverable.pk}_%s"
    )
    return _workspace(request, collaboration, viewer, bound={("publish", deliverable.pk): form})


@login_required
@require_POST
def deliverable_confirm(request, pk):
    deliverable, collaboration, _viewer = _deliverable(request, pk)
    try:
        publishing.deliverable_confirm(deliverable=deliverable, by_user=request.user)
    except PermissionDeniedError as error:
        return _forbidden(request, collaboration, error)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("You confirmed %(deliverable)s.") % {"deliverable": workspace.deliverable_label(deliverable)},
        )
    return _back(collaboration, f"deliverable-{deliverable.pk}")
