"""One error body everywhere: {"type", "code", "detail"} plus "fields" for validation errors.

Status codes: 400 invalid input, 401 no or bad credentials, 403 not allowed, 404 not found (also
another organization's object), 409 an illegal state transition, 422 an Idempotency-Key reused with
a different body, 429 too many requests.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from marketplace.errors import DomainError, InvalidTransition, PermissionDeniedError, ValidationFailed


class IdempotencyMismatch(exceptions.APIException):
    status_code = 422
    default_code = "idempotency_key_reused"
    default_detail = _("This Idempotency-Key was already used with a different request body.")


class IdempotencyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_progress"
    default_detail = _("A request with this Idempotency-Key is still being processed; retry shortly.")


TYPES = {
    400: "validation_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    422: "idempotency_error",
    429: "rate_limited",
}


def _body(status_code: int, code: str, detail: str, fields: dict | None = None) -> dict:
    body = {"type": TYPES.get(status_code, "api_error"), "code": code, "detail": str(detail)}
    if fields is not None:
        body["fields"] = fields
    return body


def _fields(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            key: [str(item) for item in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    return {"non_field_errors": [str(item) for item in (detail if isinstance(detail, list) else [detail])]}


def exception_handler(exc, context):
    if isinstance(exc, ValidationFailed):
        problems = getattr(exc, "errors", None) or [(exc.field, exc.message)]
        fields: dict[str, list[str]] = {}
        for field, message in problems:
            fields.setdefault(field or "non_field_errors", []).append(str(message))
        return Response(_body(400, exc.code, exc.message, fields), status=400)
    if isinstance(exc, InvalidTransition):
        return Response(_body(409, exc.code, exc.message), status=409)
    if isinstance(exc, PermissionDeniedError):
        return Response(_body(403, exc.code, exc.message), status=403)
    if isinstance(exc, DomainError):
        status_code = 409 if exc.code == "funding_required" else 400
        return Response(_body(status_code, exc.code, exc.message), status=status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _body(400, "invalid", _("Some fields are not valid."), _fields(exc.detail))
    else:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = codes if isinstance(codes, str) else "error"
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response.data = _body(response.status_code, code, detail)
    return response
