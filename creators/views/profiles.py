from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from creators import selectors, services
from creators.forms.profiles import CreatorProfileForm, RateCardItemForm, SocialAccountForm
from creators.models import RateCardItem, SocialAccount
from marketplace.errors import DomainError


def creator_required(view_func):
    """Logged in and onboarded; the view gets the user's own profile as `profile`."""

    @login_required
    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        profile = selectors.creator_profile_for_user(user=request.user)
        if profile is None:
            messages.info(request, _("Create your creator profile first."))
            return redirect("creators:onboarding")
        return view_func(request, *args, profile=profile, **kwargs)

    return wrapper


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request):
    if selectors.creator_profile_for_user(user=request.user) is not None:
        messages.info(request, _("You already have a creator profile. You can edit it here."))
        return redirect("creators:profile_edit")
    form = CreatorProfileForm(request.POST or None, initial={"display_name": request.user.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            services.creator_profile_create(user=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Your creator profile is ready. Now add your first social account."))
            return redirect("creators:social_account_add")
    return render(request, "creators/onboarding.html", {"form": form})


@creator_required
@require_http_methods(["GET", "POST"])
def profile_edit(request, profile):
    form = CreatorProfileForm(request.POST or None, initial=CreatorProfileForm.initial_from(profile))
    if request.method == "POST" and form.is_valid():
        try:
            services.creator_profile_update(profile=profile, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("creators:profile_edit")
    return render(
        request,
        "creators/profile_edit.html",
        {
            "form": form,
            "profile": profile,
            "social_accounts": profile.social_accounts.all(),
            "stale_accounts": {
                a.pk for a in profile.social_accounts.all() if not selectors.metrics_are_fresh(a)
            },
        },
    )


@require_http_methods(["GET", "HEAD"])
def profile_public(request, slug):
    """The creator's media kit: public, with shortlist and invite forms for organization managers
    and, for members of an organization, the most similar creators."""
    profile = selectors.creator_profile_public(slug=slug, viewer=request.user)
    if profile is None:
        raise Http404(_("No creator has this profile address."))
    context = selectors.media_kit(profile, request.user)
    # Imported here: campaigns (matching) depends on creators, not the other way round at import time.
    from campaigns.similar_creators import SIMILAR_LIMIT, can_see_similar_creators, similar_creators

    context["show_similar"] = can_see_similar_creators(viewer=request.user, creator=profile)
    if context["show_similar"]:
        context["similar_creators"] = similar_creators(creator=profile)
        context["similar_limit"] = SIMILAR_LIMIT
    return render(request, "creators/profile_public.html", context)


@creator_required
@require_http_methods(["GET", "POST"])
def social_account_add(request, profile):
    form = SocialAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.social_account_create(
                profile=profile, actor=request.user, **form.service_data()
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("%(account)s is added to your profile.") % {"account": account})
            return redirect("creators:profile_edit")
    return render(
        request, "creators/social_account_form.html", {"form": form, "account": None, "profile": profile}
    )


def _own_account(request, profile, pk) -> SocialAccount:
    # Scoped to the creator's own profile: someone else's account answers 404, never 403.
    return get_object_or_404(SocialAccount, pk=pk, profile=profile)


@creator_required
@require_http_methods(["GET", "POST"])
def social_account_edit(request, pk, profile):
    account = _own_account(request, profile, pk)
    form = SocialAccountForm(request.POST or None, initial=SocialAccountForm.initial_from(account))
    if request.method == "POST" and form.is_valid():
        try:
            account = services.social_account_update(
                account=account, actor=request.user, **form.service_data()
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("%(account)s is updated.") % {"account": account})
            return redirect("creators:profile_edit")
    return render(
        request, "creators/social_account_form.html", {"form": form, "account": account, "profile": profile}
    )


@creator_required
@require_http_methods(["GET", "POST"])
def social_account_delete(request, pk, profile):
    account = _own_account(request, profile, pk)
    if request.method == "POST":
        label = str(account)
        try:
            services.social_account_delete(account=account, actor=request.user)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("%(account)s is removed from your profile.") % {"account": label})
        return redirect("creators:profile_edit")
    return render(
        request, "creators/social_account_confirm_delete.html", {"account": account, "profile": profile}
    )


@creator_required
@require_http_methods(["GET", "POST"])
def rate_card(request, profile):
    editing = None
    if request.GET.get("edit"):
        try:
            editing = get_object_or_404(RateCardItem, pk=int(request.GET["edit"]), profile=profile)
        except ValueError as exc:
            raise Http404 from exc
    initial = (
        {
            "platform": editing.platform,
            "format": editing.format,
            "price": editing.price,
            "notes": editing.notes,
        }
        if editing
        else {}
    )
    form = RateCardItemForm(request.POST or None, initial=initial, locked=editing is not None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.rate_card_item_set(profile=profile, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Your price for %(item)s is saved.") % {"item": item})
            return redirect("creators:rate_card")
    items = list(profile.rate_card.all())
    return render(
        request,
        "creators/rate_card.html",
        {
            "form": form,
            "profile": profile,
            "items": items,
            "editing": editing,
            "form_action": f"{reverse('creators:rate_card')}?edit={editing.pk}" if editing else "",
            "other_currency_items": [item for item in items if item.currency != profile.currency],
        },
    )


@creator_required
@require_POST
def rate_card_delete(request, pk, profile):
    item = get_object_or_404(RateCardItem, pk=pk, profile=profile)
    label = str(item)
    try:
        services.rate_card_item_delete(item=item, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your price for %(item)s is removed.") % {"item": label})
    return redirect("creators:rate_card")
