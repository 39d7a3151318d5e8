from django import forms
from django.utils.translation import gettext_lazy as _

from .errors import DomainError
from .models import User


class DomainErrorFormMixin:
    """Show a service's DomainError next to the field it names, or at the top of the form."""

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.message))


class SignupForm(forms.Form):
    """Extra fields on allauth's signup form: who is signing up decides the onboarding."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)
    account_type = forms.ChoiceField(
        label=_("I am joining as"),
        choices=User.SignupRole.choices,
        widget=forms.RadioSelect,
        help_text=_("Creators build a profile; brands and NGOs create an organization next."),
    )

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"].strip()
        user.signup_role = self.cleaned_data["account_type"]
        user.save(update_fields=["full_name", "signup_role"])
