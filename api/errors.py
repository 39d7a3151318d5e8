"""One error body everywhere: {"type", "code", "detail"} plus "fields" for validation errors.

Status codes: 400 invalid input, 401 no or bad credentials, 403 not allowed, 404 not found (also
another organization's object, and any unknown path under /api/), 409 an illegal state transition,
413 a body too large, 422 an Idempotency-Key reused with a different body (or query string), 429 too
many requests, 500 our fault (the details go to the log, never to the caller).

Validation errors of nested and list fields are flattened to dotted names
(`deliverables.0.platform`), each with plain messages.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from marketplace.errors import DomainError, InvalidTransition, PermissionDeniedError, ValidationFailed


class IdempotencyMismatch(exceptions.APIException):
    status_code = 422
    default_code = "idempotency_key_reused"
    default_detail = gettext_lazy(
        "This Idempotency-Key was already used with a different request (body, path or query string)."
    )


class IdempotencyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_progress"
    default_detail = gettext_lazy(
        "A request with this Idempotency-Key is still being processed; retry shortly."
    )


TYPES = {
    400: "validation_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "idempotency_error",
    429: "rate_limited",
    500: "server_error",
}
API_PREFIX = "/api/"
logger = logging.getLogger("api.errors")


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = gettext_lazy("The request body is too large.")


class ServerError(exceptions.APIException):
    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_code = "server_error"
    default_detail = gettext_lazy("Something went wrong on our side. It was logged; try again later.")


def error_body(status_code: int, code: str, detail: str, fields: dict | None = None) -> dict:
    body = {"type": TYPES.get(status_code, "api_error"), "code": code, "detail": str(detail)}
    if fields is not None:
        body["fields"] = fields
    return body


def _flatten(detail, name: str, fields: dict[str, list[str]]) -> None:
    """Nested serializers and list fields give dicts and lists of ErrorDetail: one dotted name per
    field that failed (`deliverables.0.platform`), each with its plain messages."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            _flatten(value, f"{name}.{key}" if name else str(key), fields)
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            fields.setdefault(name or "non_field_errors", []).extend(str(item) for item in detail)
            return
        for index, item in enumerate(detail):
            if item:  # a list serializer answers {} for the items that were fine
                _flatten(item, f"{name}.{index}" if name else str(index), fields)
    else:
        fields.setdefault(name or "non_field_errors", []).append(str(detail))


def _fields(detail) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    _flatten(detail, "", fields)
    return fields


def _plain(detail) -> str:
    if isinstance(detail, dict | list | tuple):
        return " ".join(message for messages in _fields(detail).values() for message in messages)
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, ValidationFailed):
        problems = getattr(exc, "errors", None) or [(exc.field, exc.message)]
        fields: dict[str, list[str]] = {}
        for field, message in problems:
            fields.setdefault(field or "non_field_errors", []).append(str(message))
        return Response(error_body(400, exc.code, exc.message, fields), status=400)
    if isinstance(exc, InvalidTransition):
        return Response(error_body(409, exc.code, exc.message), status=409)
    if isinstance(exc, PermissionDeniedError):
        return Response(error_body(403, exc.code, exc.message), status=403)
    if isinstance(exc, DomainError):
        status_code = 409 if exc.code == "funding_required" else 400
        return Response(error_body(status_code, exc.code, exc.message), status=status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent | SuspiciousOperation):
        exc = exceptions.ParseError(_("The request could not be read."))
    elif not isinstance(exc, exceptions.APIException):
        # Anything else is a bug of ours: log it whole, answer without a detail that could leak.
        request = context.get("request")
        logger.error(
            "Internal Server Error: %s",
            getattr(request, "path", "?"),
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        exc = ServerError()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(400, "invalid", _("Some fields are not valid."), _fields(exc.detail))
    else:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        code = codes if isinstance(codes, str) else "error"
        response.data = error_body(response.status_code, code, _plain(exc.detail))
    return response


# Errors Django answers before or after a view of ours (marketplace/urls.py names these): an unknown
# path under /api/ and a crash outside the view get the one JSON body; other paths get the pages.


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def handler404(request, exception=None):
    if _is_api(request):
        return JsonResponse(
            error_body(404, "not_found", _("Nothing is here: check the path and the id.")), status=404
        )
    return defaults.page_not_found(request, exception)


def handler500(request):
    if _is_api(request):
        return JsonResponse(error_body(500, ServerError.default_code, ServerError.default_detail), status=500)
    return defaults.server_error(request)
