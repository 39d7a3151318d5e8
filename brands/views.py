from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.services.conversation import organization_rating_summary
from marketplace import permissions as staff_permissions
from marketplace.decorators import staff_page
from marketplace.errors import DomainError, PermissionDeniedError
from marketplace.private_files import private_file_response

from . import selectors, services
from .forms import (
    InvitationForm,
    OrganizationForm,
    RoleForm,
    VerificationDecisionForm,
    VerificationRequestForm,
)
from .models import Membership, Organization, OrgInvitation
from .services import verification
from .verification_limits import unverified_limits_notice

GET_POST = require_http_methods(["GET", "POST"])


def _form_error(form: Form, error: DomainError) -> None:
    """Put a service's refusal next to the field it is about, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def _forbidden(request: HttpRequest, organization: Organization, message: str) -> HttpResponse:
    return render(
        request, "brands/forbidden.html", {"organization": organization, "message": message}, status=403
    )


# Organizations


@login_required
def org_list(request):
    return render(request, "brands/org_list.html", selectors.org_dashboard(user=request.user))


@login_required
@GET_POST
def org_create(request):
    kind = request.GET.get("kind", "")
    if kind not in Organization.Kind.values:
        return render(request, "brands/org_kind_choice.html")

    form = OrganizationForm(request.POST or None, request.FILES or None, kind=kind, initial={"country": "ID"})
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(
                user=request.user,
                kind=kind,
                logo=form.cleaned_data.get("logo") or None,
                **form.service_kwargs(),
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("%(org)s is ready. Invite your team and request verification next.")
                % {"org": organization.name},
            )
            return redirect(organization)
    return render(request, "brands/org_form.html", {"form": form, "kind": kind, "creating": True})


@login_required
def org_detail(request, slug):
    organization, membership = selectors.organization_for_member(user=request.user, slug=slug)
    context = selectors.organization_overview(organization=organization)
    context.update(
        {
            "organization": organization,
            "membership": membership,
            "section": "overview",
            "rating": organization_rating_summary(organization),
        }
    )
    return render(request, "brands/org_detail.html", context)


@login_required
@GET_POST
def org_edit(request, slug):
    organization, membership = selectors.organization_for_member(user=request.user, slug=slug)
    if not membership.can_edit_org():
        return _forbidden(request, organization, _("Only owners and managers can edit this organization."))

    form = OrganizationForm(
        request.POST or None,
        request.FILES or None,
        instance=organization,
        kind=organization.kind,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                organization=organization,
                by_user=request.user,
                logo=form.cleaned_data.get("logo") if "logo" in form.changed_data else None,
                **form.service_kwargs(),
            )
        except PermissionDeniedError as error:
            return _forbidden(request, organization, str(error.message))
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(organization)
    if form.is_bound:
        # ModelForm validation copied the rejected input onto the instance; show the stored values.
        organization.refresh_from_db()
    return render(
        request,
        "brands/org_form.html",
        {"form": form, "kind": organization.kind, "organization": organization, "section": "edit"},
    )


# Members and invitations


def _members_page(request, organization, membership, invite_form=None, status=200):
    members = selectors.organization_members(organization=organization)
    owner_count = sum(1 for m in members if m.is_owner)
    member_rows = [
        {
            "member": m,
            "is_self": m.pk == membership.pk,
            "can_leave": m.pk == membership.pk and not (m.is_owner and owner_count == 1),
            "can_remove": m.pk != membership.pk
            and membership.can_remove(m)
            and not (m.is_owner and owner_count == 1),
            "can_change_role": membership.can_change_roles() and not (m.is_owner and owner_count == 1),
        }
        for m in members
    ]
    invitation_rows = [
        {
            "invitation": inv,
            "can_revoke": membership.can_manage_members() and membership.can_invite_role(inv.role),
        }
        for inv in selectors.organization_pending_invitations(organization=organization)
    ]
    context = {
        "organization": organization,
        "membership": membership,
        "section": "members",
        "member_rows": member_rows,
        "owner_count": owner_count,
        "invitation_rows": invitation_rows,
        "invite_form": invite_form
        or (InvitationForm(inviter=membership) if membership.can_manage_members() else None),
        "role_choices": Membership.Role.choices,
        "invitation_ttl_days": settings.ORG_INVITATION_TTL_DAYS,
    }
    return render(request, "brands/members.html", context, status=status)


@login_required
@GET_POST
def members(request, slug):
    organization, membership = selectors.organization_for_member(user=request.user, slug=slug)
    if request.method == "GET":
        return _members_page(request, organization, membership)

    if not membership.can_manage_members():
        return _forbidden(request, organization, _("Only owners and managers can invite people."))
    form = InvitationForm(request.POST, inviter=membership)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                organization=organization,
                by_user=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. It is valid until %(date)s.")
                % {
                    "email": invitation.email,
                    "date": date_format(localtime(invitation.expires_at), "DATE_FORMAT"),
                },
            )
            return redirect("brands:members", slug=organization.slug)
    return _members_page(request, organization, membership, invite_form=form, status=400)


@login_required
@require_POST
def invitation_revoke(request, slug, pk):
    organization, _membership = selectors.organization_for_member(user=request.user, slug=slug)
    invitation = get_object_or_404(OrgInvitation, pk=pk, organization=organization)
    try:
        services.invitation_revoke(invitation=invitation, by_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("brands:members", slug=organization.slug)


@login_required
@require_POST
def member_remove(request, slug, pk):
    organization, _membership = selectors.organization_for_member(user=request.user, slug=slug)
    target = get_object_or_404(Membership.objects.select_related("user"), pk=pk, organization=organization)
    leaving = target.user_id == request.user.pk
    try:
        services.membership_remove(membership=target, by_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("brands:members", slug=organization.slug)
    if leaving:
        messages.success(request, _("You left %(org)s.") % {"org": organization.name})
        return redirect("dashboard")
    messages.success(
        request,
        _("%(name)s no longer has access to %(org)s.") % {"name": target.user, "org": organization.name},
    )
    return redirect("brands:members", slug=organization.slug)


@login_required
@require_POST
def member_role(request, slug, pk):
    organization, _membership = selectors.organization_for_member(user=request.user, slug=slug)
    target = get_object_or_404(Membership.objects.select_related("user"), pk=pk, organization=organization)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("brands:members", slug=organization.slug)
    try:
        target = services.membership_change_role(
            membership=target, by_user=request.user, role=form.cleaned_data["role"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.") % {"name": target.user, "role": target.get_role_display().lower()},
        )
    return redirect("brands:members", slug=organization.slug)


@GET_POST
def invitation_accept(request, token):
    invitation = selectors.invitation_by_token(token=token)
    organization = invitation.organization
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        next_query = urlencode({"next": request.get_full_path()})
        return render(
            request,
            "brands/invitation_accept.html",
            {
                "invitation": invitation,
                "organization": organization,
                "login_url": f"{reverse('account_login')}?{next_query}",
                "signup_url": f"{reverse('account_signup')}?{next_query}",
            },
        )

    error = None
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, by_user=request.user)
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(
                request,
                _("Welcome to %(org)s! You joined as %(role)s.")
                % {"org": organization.name, "role": invitation.get_role_display().lower()},
            )
            return redirect(organization)
    already_member = Membership.objects.filter(organization=organization, user=request.user).exists()
    return render(
        request,
        "brands/invitation_accept.html",
        {
            "invitation": invitation,
            "organization": organization,
            "error": error,
            "already_member": already_member,
            "email_matches": request.user.email.lower() == invitation.email,
        },
        status=400 if error else 200,
    )


# Verification


@login_required
@GET_POST
def verification_request(request, slug):
    organization, membership = selectors.organization_for_member(user=request.user, slug=slug)
    can_submit = membership.can_edit_org() and organization.can_request_verification()
    form = (
        VerificationRequestForm(request.POST or None, request.FILES or None, organization=organization)
        if can_submit
        else None
    )
    if request.method == "POST":
        if not membership.can_edit_org():
            return _forbidden(request, organization, _("Only owners and managers can request verification."))
        if form is None:
            messages.error(
                request, _("There is nothing to submit: the organization is verified or under review.")
            )
            return redirect("brands:verification_request", slug=organization.slug)
        if form.is_valid():
            try:
                services.verification_request_submit(
                    organization=organization,
                    by_user=request.user,
                    evidence=form.cleaned_data["evidence"],
                    documents=form.documents(),
                )
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you. Kolabo staff will review your request, usually within two working days."),
                )
                return redirect("brands:verification_request", slug=organization.slug)
    return render(
        request,
        "brands/verification_request.html",
        {
            "organization": organization,
            "membership": membership,
            "section": "verification",
            "form": form,
            "history": selectors.verification_history(organization=organization),
            "limits": unverified_limits_notice(organization),
            "document_max_mb": verification.document_max_mb(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@staff_page(staff_permissions.can_review_verifications)
def verification_document(request, pk):
    """A verification document, for reviewers only (404 for anyone else); each opening is audited."""
    document = selectors.verification_document_for_staff(user=request.user, pk=pk)
    try:
        services.verification_document_open(document=document, by_user=request.user)
    except PermissionDeniedError as error:
        raise Http404 from error
    return private_file_response(document.file)


def _queue_page(request, *, failed_form=None, status=200):
    rows = []
    for req in selectors.verification_queue_with_documents():
        form = VerificationDecisionForm(prefix=f"r{req.pk}")
        if failed_form is not None and failed_form.prefix == form.prefix:
            form = failed_form
        rows.append((req, form))
    return render(
        request,
        "brands/verification_queue.html",
        {"rows": rows, "recent": selectors.verification_recent_decisions()},
        status=status,
    )


@staff_page(staff_permissions.can_review_verifications)
def verification_queue(request):
    return _queue_page(request)


@require_POST
@staff_page(staff_permissions.can_review_verifications)
def verification_decide(request, pk):
    verification = selectors.verification_request_for_staff(user=request.user, pk=pk)
    form = VerificationDecisionForm(request.POST, prefix=f"r{pk}")
    if not form.is_valid():
        return _queue_page(request, failed_form=form, status=400)
    approve = form.cleaned_data["decision"] == VerificationDecisionForm.APPROVE
    decide = services.verification_request_approve if approve else services.verification_request_reject
    try:
        decide(request=verification, by_user=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        if error.field in form.fields:
            _form_error(form, error)
            return _queue_page(request, failed_form=form, status=400)
        messages.error(request, error.message)
    else:
        if approve:
            messages.success(request, _("%(org)s is now verified.") % {"org": verification.organization})
        else:
            messages.success(
                request, _("The request from %(org)s was rejected.") % {"org": verification.organization}
            )
    return redirect("brands:verification_queue")
