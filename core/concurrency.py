"""Optimistic concurrency and the one way services record a change."""

from __future__ import annotations

from django.db import models

from .errors import ConflictError, DomainError

MAX_VERSION = 2**31 - 1
VERSION_MISSING = (
    "Send the version of the record you read (field 'version'): without it a change could "
    "silently overwrite someone else's."
)
VERSION_MALFORMED = "The version must be the record's version number as you read it, a whole number from 1."


def parse_version(raw) -> int:
    """``raw`` (from a form, query string or JSON) as a version number; anything
    else (text, negative, fractional, huge) is a DomainError naming ``version``."""
    if isinstance(raw, bool):
        raise DomainError(VERSION_MALFORMED, field="version")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit() and len(raw.strip()) <= 10:
        value = int(raw.strip())
    else:
        raise DomainError(VERSION_MALFORMED, field="version")
    if not 1 <= value <= MAX_VERSION:
        raise DomainError(VERSION_MALFORMED, field="version")
    return value


def lock_for_update(model: type[models.Model], *, pk, expected_version: int | None):
    """Load a row for update; refuse if it changed since the caller loaded it.

    ``expected_version`` is the version the person saw (hidden field on forms,
    ``version`` in the API). ``None`` skips the check (system actions).
    """
    if expected_version is not None:
        expected_version = parse_version(expected_version)
    obj = model._default_manager.select_for_update().get(pk=pk)
    if expected_version is not None and expected_version != obj.version:
        raise ConflictError()
    return obj
