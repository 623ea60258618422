"""Optimistic concurrency and the one way services record a change."""
from __future__ import annotations

from django.db import models

from .errors import ConflictError


def lock_for_update(model: type[models.Model], *, pk, expected_version: int | None):
    """Load a row for update; refuse if it changed since the caller loaded it.

    ``expected_version`` is the version the person saw (hidden field on forms,
    ``version`` in the API). ``None`` skips the check (system actions).
    """
    obj = model._default_manager.select_for_update().get(pk=pk)
    if expected_version is not None and int(expected_version) != obj.version:
        raise ConflictError()
    return obj
