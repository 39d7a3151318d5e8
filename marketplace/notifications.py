"""The catalogue of notification kinds. Apps register theirs when they load (AppConfig.ready).

Each kind has a translatable sentence with %(name)s parameters, and an email subject. A kind that
reaches several kinds of people (the creator, the organization's members, staff) has one wording per
audience, so each reader sees the other side's name, never their own. The sender records the audience
in the notification's params under "audience".
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class NotificationKind:
    text: Promise
    subject: Promise
    audiences: dict[str, tuple[Promise, Promise]] = field(default_factory=dict)

    def wording(self, audience: str | None) -> tuple[Promise, Promise]:
        """(text, subject) for `audience`; rows written without one get the default wording."""
        return self.audiences.get(audience or "", (self.text, self.subject))


KINDS: dict[str, NotificationKind] = {}

# The params key naming who the notification is written for: "creator", "organization" or "staff".
AUDIENCE = "audience"
CREATOR = "creator"
ORGANIZATION = "organization"
STAFF = "staff"


def for_audience(params: dict, audience: str) -> dict:
    """`params` with the audience the notification is worded for."""
    return {**params, AUDIENCE: audience}


def register(
    kind: str, *, text: Promise, subject: Promise, audiences: dict[str, tuple[Promise, Promise]] | None = None
) -> None:
    KINDS[kind] = NotificationKind(text=text, subject=subject, audiences=dict(audiences or {}))


def _format(template: Promise, params: dict) -> str:
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        # A kind whose wording changed since the row was written still shows something useful.
        return str(template)


def render_text(notification) -> str:
    kind = KINDS.get(notification.kind)
    if kind is None:
        return _("You have a new notification.")
    text, _subject = kind.wording((notification.params or {}).get(AUDIENCE))
    return _format(text, notification.params)


def render_subject(notification) -> str:
    kind = KINDS.get(notification.kind)
    if kind is None:
        return _("New notification")
    _text, subject = kind.wording((notification.params or {}).get(AUDIENCE))
    return _format(subject, notification.params)
