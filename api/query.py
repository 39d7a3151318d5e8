"""Query parameters, checked: a bad value answers the one 400 error body naming the parameter,
never a 500 (a NUL byte reaching the database) or an empty 200 (an unknown status filtering
everything out)."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from api.errors import RequestTooLarge

TRUE, FALSE = ("true", "1"), ("false", "0")


def _refuse(name: str, message: str):
    raise ValidationError({name: [message]})


def query_check(request) -> None:
    """Every endpoint, before the view: no NUL bytes anywhere; page numbers and sizes are whole."""
    for name, values in request.query_params.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            _refuse(name.replace("\x00", ""), _("Remove the NUL character (\\0) from this value."))
    for name in ("page", "page_size"):
        value = request.query_params.get(name)
        if value is not None and (not value.isascii() or not value.isdigit() or int(value) < 1):
            _refuse(name, _("Use a whole number from 1 up."))


def body_size_check(request) -> None:
    """413 past DATA_UPLOAD_MAX_MEMORY_SIZE: DRF's parsers read the stream without Django's limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if limit is not None and length > limit:
        raise RequestTooLarge(
            _("The request body is too large: at most %(limit)s bytes.") % {"limit": f"{limit:,}"}
        )


def query_choice(request, name: str, choices) -> str | None:
    """The parameter's value if it is one of `choices`; None when absent or empty; else 400."""
    value = request.query_params.get(name)
    if not value:
        return None
    allowed = [str(choice) for choice in choices]
    if value not in allowed:
        _refuse(name, _("Use one of: %(choices)s.") % {"choices": ", ".join(allowed)})
    return value


def query_flag(request, name: str) -> bool | None:
    """true/1 or false/0; None when absent or empty; else 400."""
    value = request.query_params.get(name)
    if not value:
        return None
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    _refuse(name, _("Use true or false."))
