"""Web pages to issue and revoke API credentials: an organization's keys, a user's personal tokens."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from api import services
from api.models import ApiKey, PersonalToken
from brands.selectors import organization_for_member
from marketplace.errors import DomainError


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=80, help_text=gettext_lazy("The tool that will use it.")
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Access"), choices=ApiKey.Scope.choices, initial=ApiKey.Scope.READ
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=80, help_text=gettext_lazy("Where you will use it.")
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request, slug):
    organization, membership = organization_for_member(user=request.user, slug=slug)
    if request.method == "POST" and not membership.can_edit_org():
        message = _("Only owners and managers can manage the organization's API keys.")
        return render(
            request, "brands/forbidden.html", {"organization": organization, "message": message}, status=403
        )
    form = ApiKeyForm(request.POST or None)
    token = None
    if request.method == "POST" and form.is_valid():
        try:
            _key, token = services.api_key_create(
                organization=organization, by_user=request.user, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(
                getattr(error, "field", None) if getattr(error, "field", None) in form.fields else None,
                error.message,
            )
        else:
            form = ApiKeyForm()
    keys = organization.api_keys.select_related("created_by").order_by("-created_at")
    return render(
        request,
        "api/api_keys.html",
        {
            "organization": organization,
            "membership": membership,
            "can_edit": membership.can_edit_org(),
            "form": form,
            "keys": keys,
            "token": token,
        },
        status=400 if request.method == "POST" and token is None else 200,
    )


@login_required
@require_POST
def api_key_revoke(request, slug, pk):
    organization, _membership = organization_for_member(user=request.user, slug=slug)
    key = get_object_or_404(ApiKey, pk=pk, organization=organization)
    try:
        services.api_key_revoke(key=key, by_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The key is revoked: tools using it now get 401."))
    return redirect("api_web:api_keys", slug=organization.slug)


@login_required
@require_http_methods(["GET", "POST"])
def personal_tokens(request):
    form = TokenForm(request.POST or None)
    token = None
    if request.method == "POST" and form.is_valid():
        _created, token = services.personal_token_create(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    return render(
        request,
        "api/personal_tokens.html",
        {"form": form, "tokens": PersonalToken.objects.filter(user=request.user), "token": token},
        status=400 if request.method == "POST" and token is None else 200,
    )


@login_required
@require_POST
def personal_token_revoke(request, pk):
    token = get_object_or_404(PersonalToken, pk=pk, user=request.user)
    try:
        services.personal_token_revoke(token=token, by_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The token is revoked."))
    return redirect("api_web:personal_tokens")
