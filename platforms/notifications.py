"""Notification kinds for connected platform accounts (registered by PlatformsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from marketplace.notifications import CREATOR, register

KINDS = {
    "platform.connection_expired": {
        CREATOR: (
            _(
                "Your %(platform)s account @%(username)s was disconnected from Kolabo because its "
                "permission expired. Your profile keeps the numbers last verified, with their date. "
                "Connect the account again to keep them up to date."
            ),
            _("Reconnect your %(platform)s account"),
        ),
    },
    "platform.connection_revoked": {
        CREATOR: (
            _(
                "Kolabo's access to your %(platform)s account @%(username)s was removed, so the account "
                "is now disconnected. Your profile keeps the numbers last verified, with their date. "
                "Connect the account again to keep them up to date."
            ),
            _("Reconnect your %(platform)s account"),
        ),
    },
}

for _kind, _audiences in KINDS.items():
    _text, _subject = _audiences[CREATOR]
    register(_kind, text=_text, subject=_subject, audiences=_audiences)
