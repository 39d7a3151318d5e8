from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from creators.models import Cause

from .models import Membership, Organization

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}


class OrganizationForm(forms.ModelForm):
    """Validates input for organization_create / organization_update; never saved directly."""

    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        help_text=_("For example https://example.co.id"),
    )
    causes = forms.ModelMultipleChoiceField(
        label=_("Causes you work on"),
        queryset=Cause.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-grid"}),
        help_text=_("Creators who care about the same causes will find your campaigns first."),
    )

    class Meta:
        model = Organization
        fields = ["name", "country", "website", "default_currency", "description", "logo", "causes"]
        labels = {
            "name": _("Name"),
            "default_currency": _("Default currency for campaigns"),
            "description": _("About the organization"),
        }
        help_texts = {
            "description": _("What you do and who you work with. Creators read this before they apply."),
            "logo": _("PNG, JPEG or WebP, at most 2 MB."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != Organization.Kind.NGO:
            del self.fields["causes"]
        self.fields["name"].label = (
            _("NGO name") if kind == Organization.Kind.NGO else _("Brand or company name")
        )

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        # Only a fresh upload carries `.image`; an unchanged logo or a cleared one (False) passes.
        if not logo or not hasattr(logo, "image"):
            return logo
        if logo.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                _("The logo is %(size)s; the limit is 2 MB. Please upload a smaller image."),
                code="file_too_large",
                params={"size": filesizeformat(logo.size)},
            )
        if (logo.image.format or "").upper() not in LOGO_FORMATS:
            raise forms.ValidationError(
                _("Upload the logo as a PNG, JPEG or WebP image."), code="invalid_image_type"
            )
        return logo

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "name": data["name"],
            "country": data["country"],
            "website": data["website"],
            "default_currency": data["default_currency"],
            "description": data["description"],
        }
        if "causes" in self.fields:
            kwargs["causes"] = list(data["causes"])
        return kwargs


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, inviter: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = inviter.invitable_roles()
        self.fields["role"].initial = Membership.Role.MANAGER
        self.fields["role"].help_text = _(
            "Owners manage everything, including members and roles. Managers run campaigns and invite "
            "managers and viewers. Viewers can look but not change anything."
        )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class VerificationRequestForm(forms.Form):
    evidence = forms.CharField(
        label=_("What shows that your organization is real?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_(
            "For example your company or foundation registration number (NIB, NPWP or the Ministry of Law "
            "decree), your official website, and your social media accounts."
        ),
    )


class VerificationDecisionForm(forms.Form):
    APPROVE = "approve"
    REJECT = "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting. The organization will see it."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REJECT and not (cleaned.get("reason") or "").strip():
            self.add_error(
                "reason", _("Explain why the request is rejected; the organization will see this reason.")
            )
        return cleaned
