from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from creators.models import Cause

from .models import Membership, Organization, VerificationDocument
from .services import verification

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


DOCUMENT_ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


class VerificationRequestForm(forms.Form):
    """The evidence and the legal documents, one file field per document kind the organization sends.

    Each file is checked here (type by its content, size) so every field shows its own error; the
    service checks the same with the same function, and which documents are required.
    """

    evidence = forms.CharField(
        label=_("Where can we see your organization at work?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_(
            "Your official website, your social media accounts, press about you: what shows that the "
            "organization in the documents is the one on Kolabo."
        ),
    )

    HELP = {
        VerificationDocument.Kind.NIB: _("Your Nomor Induk Berusaha from OSS. Upload the NIB or the NPWP."),
        VerificationDocument.Kind.NPWP: _("The company's tax number card. Upload the NIB or the NPWP."),
        VerificationDocument.Kind.FOUNDATION_DEED: _("The notarial deed that founded the NGO. Required."),
        VerificationDocument.Kind.SK_KEMENKUMHAM: _(
            "The decree of the Ministry of Law and Human Rights that registers the NGO. Required."
        ),
        VerificationDocument.Kind.OTHER: _(
            "Anything else that helps, for example a recent annual report. Optional."
        ),
    }

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        limit = verification.document_max_mb()
        for kind in verification.document_kinds_for(organization):
            self.fields[kind] = forms.FileField(
                label=VerificationDocument.Kind(kind).label,
                required=False,
                help_text=_("%(help)s PDF, JPEG or PNG, at most %(limit)s MB.")
                % {"help": self.HELP[kind], "limit": limit},
                widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
            )

    @property
    def document_kinds(self) -> tuple[str, ...]:
        return verification.document_kinds_for(self.organization)

    def clean(self):
        cleaned = super().clean()
        # A refused file counts as given: its field says what is wrong with it, not that it is missing.
        given = [kind for kind in self.document_kinds if cleaned.get(kind)]
        for kind in given:
            problem = verification.verification_document_problem(cleaned[kind], kind=kind)
            if problem:
                self.add_error(kind, problem)
        for field, message in verification.missing_document_problems(
            organization=self.organization, kinds=given
        ):
            self.add_error(field, message)
        return cleaned

    def documents(self) -> dict:
        return {kind: self.cleaned_data[kind] for kind in self.document_kinds if self.cleaned_data.get(kind)}


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
