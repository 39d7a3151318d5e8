"""Kolabo's admin site: staff only, and only from a session verified with MFA.

Installed in settings as `marketplace.admin_site.KolaboAdminConfig` in place of
`django.contrib.admin`, so `admin.site` everywhere is this site. Nothing here imports models at
module level: INSTALLED_APPS imports this module before the app registry is ready.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class KolaboAdminSite(admin.AdminSite):
    site_header = _("Kolabo admin")
    site_title = _("Kolabo admin")
    index_title = _("Support")

    def admin_view(self, view, cacheable=False):
        # Django's wrapper checks `has_permission` (active staff) first; ours then asks for MFA.
        @wraps(view)
        def mfa_guarded(request, *args, **kwargs):
            from marketplace.decorators import mfa_redirect

            if request.path != reverse("admin:logout", current_app=self.name):
                response = mfa_redirect(request)
                if response is not None:
                    return response
            return view(request, *args, **kwargs)

        return super().admin_view(mfa_guarded, cacheable)

    def login(self, request, extra_context=None):
        # Admin logins go through allauth, so its rate limits and MFA apply there too.
        from allauth.account.decorators import secure_admin_login

        return secure_admin_login(super().login)(request, extra_context)


class KolaboAdminConfig(AdminConfig):
    default_site = "marketplace.admin_site.KolaboAdminSite"
