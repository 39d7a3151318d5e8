from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        # The dashboard routes people who have not onboarded yet to the right form.
        return reverse("dashboard")

    def get_signup_redirect_url(self, request):
        return reverse("dashboard")
