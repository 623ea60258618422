"""Caching of per-organization figures, invalidated by a data version.

Each organization has a *data version* in Django's cache (Redis when
``REDIS_URL`` is set). Every change to the organization's data bumps it, so a
value cached under ``(organization, version, …)`` is never read again once the
data it was computed from has changed; it simply expires with its timeout.

The bump is wired where it cannot be forgotten (``connect_signals``, called by
``CoreConfig.ready``): ``post_save`` / ``post_delete`` of every concrete
``OrgScopedModel`` and of ``SignOff``, ``Membership`` and ``Organization``, and
``m2m_changed`` of their many-to-many fields. Queryset writes that send no
signal (``.update()``, ``bulk_create``, ``bulk_update``) call
``bump_org_version`` themselves, next to the write.

A bump happens at once (so the writing request, and tests running inside one
transaction, see fresh figures) and again when the transaction commits (so a
reader that cached the not-yet-committed state in between is not believed).

The cache is an accelerator, never a source of truth: when it is unreachable
reads compute fresh figures and writes go on (a warning is logged).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

VERSION_KEY = "orgdata:version:{}"
VALUE_KEY = "orgdata:{}:{}:{}"
DEFAULT_TIMEOUT = 300  # seconds: time-based figures (SLA clocks, ages, staleness) never drift further


def _fresh_version() -> int:
    """A starting version larger than any this organization had before, even if
    its counter was evicted: microseconds since the epoch."""
    return int(time.time() * 1_000_000)


def org_version(organization_id: int) -> int | None:
    """The organization's current data version (created on first use); None
    when the cache is unreachable."""
    key = VERSION_KEY.format(organization_id)
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, _fresh_version(), timeout=None)
            version = cache.get(key)
    except Exception:
        logger.warning(
            "cache unavailable: reading organization %s's data version", organization_id, exc_info=True
        )
        return None
    return version


def _increment(organization_id: int) -> None:
    key = VERSION_KEY.format(organization_id)
    try:
        try:
            cache.incr(key)
        except ValueError:  # no counter yet (or evicted): start one, past every earlier version
            cache.add(key, _fresh_version(), timeout=None)
    except Exception:
        logger.warning(
            "cache unavailable: organization %s's data version not bumped", organization_id, exc_info=True
        )


def bump_org_version(organization_id: int | None, *, using: str | None = None) -> None:
    """Mark the organization's data as changed: now and when the transaction commits."""
    if organization_id is None:
        return
    _increment(organization_id)
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(lambda: _increment(organization_id), using=using, robust=True)


def cached_for_org(
    organization_id: int, name: str, compute: Callable[[], Any], *, timeout: int = DEFAULT_TIMEOUT
) -> Any:
    """``compute()``, cached under the organization's current data version.

    ``name`` must hold everything else the value depends on (the viewer, their
    role, the day…). Nothing is cached when the cache is unreachable.
    """
    return cached_for_org_keyed(organization_id, name, compute, timeout=timeout)[0]


def cached_for_org_keyed(
    organization_id: int, name: str, compute: Callable[[], Any], *, timeout: int = DEFAULT_TIMEOUT
) -> tuple[Any, str | None]:
    """Like ``cached_for_org``, with the key the value is cached under (None
    when the cache is unreachable): what is derived from the value (e.g. a
    rendered page fragment) can be cached under the very same data version."""
    version = org_version(organization_id)
    if version is None:
        return compute(), None
    key = VALUE_KEY.format(organization_id, version, name)
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("cache unavailable: reading %s", key, exc_info=True)
        return compute(), None
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception:
            logger.warning("cache unavailable: storing %s", key, exc_info=True)
            return value, None
    return value, key


def org_fragment_key(organization_id: int, *parts: Any) -> str | None:
    """The key of a rendered page fragment (``{% cache timeout "name" key %}``)
    that shows the organization's data as of its current version, and depends
    otherwise only on ``parts`` (the page, the filters, the day, the viewer's
    role…). None when the cache is unreachable: render without caching."""
    version = org_version(organization_id)
    if version is None:
        return None
    return ":".join(str(part) for part in (organization_id, version, *parts))


def content_fragment_key(organization_id: int, *parts: Any) -> str | None:
    """The key of a rendered page fragment that depends only on ``parts``: a
    digest of every value it shows (and the viewer's role…), not on the data
    version, so that a change elsewhere in the organization does not make it
    render again. None when the cache is unreachable: render without caching."""
    if org_version(organization_id) is None:
        return None
    return ":".join(str(part) for part in ("content", organization_id, *parts))


# ------------------------------------------------------------------ signals ----


def tracked_models() -> list[type]:
    """Every model whose rows belong to one organization's data."""
    from django.apps import apps

    from .models import Membership, Organization, OrgScopedModel, SignOff

    scoped = [m for m in apps.get_models() if issubclass(m, OrgScopedModel)]
    return [*scoped, SignOff, Membership, Organization]


def _organization_id(instance) -> int | None:
    from .models import Organization

    if isinstance(instance, Organization):
        return instance.pk
    return getattr(instance, "organization_id", None)


def _on_row_change(sender, instance, using=None, **kwargs) -> None:
    bump_org_version(_organization_id(instance), using=using)


def _organizations_of(model, pks: Iterable[int]) -> list[int]:
    return list(
        model._default_manager.filter(pk__in=list(pks)).values_list("organization_id", flat=True).distinct()
    )


def _on_m2m_change(sender, instance, action, model, pk_set, using=None, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    organization_id = _organization_id(instance)
    if organization_id is not None:
        bump_org_version(organization_id, using=using)
    elif pk_set and model in tracked_models():
        # Changed from the other side (e.g. ``user.raci_parties.add(party)``): the rows' organizations.
        for org_id in _organizations_of(model, pk_set):
            bump_org_version(org_id, using=using)


def connect_signals() -> None:
    """Bump the data version on every change of organization data (idempotent)."""
    for model in tracked_models():
        post_save.connect(_on_row_change, sender=model, dispatch_uid=f"orgdata-save-{model._meta.label}")
        post_delete.connect(_on_row_change, sender=model, dispatch_uid=f"orgdata-delete-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _on_m2m_change, sender=through, dispatch_uid=f"orgdata-m2m-{through._meta.label}"
            )
