from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import Organization
from creators.roster.parsing import MAX_FILE_BYTES
from marketplace.forms import DomainErrorFormMixin


class RosterImportForm(DomainErrorFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 CSV with the columns below, at most 50 MB and 100,000 rows."),
    )
    valid_rows_only = forms.BooleanField(
        label=_("Import valid rows only"),
        required=False,
        help_text=_("Without this, nothing is imported when any row has a problem."),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            pk__in=[organization.pk for organization in organizations]
        ).order_by("name", "pk")
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 50 MB. Split the file into smaller files and import each one.")
            )
        return upload


class RosterClaimForm(DomainErrorFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your email"), help_text=_("You log in with it. We send a confirmation if it is new to us.")
    )
    password = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput, strip=False)
    accept = forms.BooleanField(
        label=_("I claim this profile: it is mine, and Kolabo may list it so brands and NGOs can find me."),
    )
