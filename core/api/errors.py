"""One JSON error shape for the whole API:

{"detail": "What went wrong, in words.", "code": "invalid",
 "errors": {"field": ["message", ...], ...}}
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ERROR_STATUS_CODES, DomainError

from .base import ErrorSerializer

# The error responses every operation documents in the OpenAPI schema.
ERROR_RESPONSES = dict.fromkeys(sorted(ERROR_STATUS_CODES), ErrorSerializer)


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for index, item in enumerate(value):
                    for sub, msgs in _flatten(item).items():
                        out[f"{key}[{index}].{sub}"] = msgs
            else:
                out[key] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {"non_field_errors": [str(detail)]}


def error_body(detail: str, code: str, errors: dict | None = None) -> dict:
    return {"detail": detail, "code": code, "errors": errors or {}}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(error_body(exc.message, exc.code, exc.as_field_errors()), status=exc.status_code)
    if isinstance(exc, (OverflowError, DataError)):
        # A filter or id far outside what the database stores (e.g. ?kpi=1e300): the request is bad, not the server.
        return Response(error_body("A number in the request is out of range.", "invalid"), status=400)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(error_body("Some fields are not valid.", "invalid", errors), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("Some fields are not valid.", "invalid", _flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = error_body(str(detail), code if isinstance(code, str) else "error")
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and isinstance(exc, exceptions.Throttled):
        response.data["code"] = "throttled"
    return response
