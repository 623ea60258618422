"""Pagination of the register (page and API) that costs the same however
large the register and however deep the page.

* The page's rows are found in two steps: their ids first, read from the sort
  index alone (an index-only scan that skips the rows before the page without
  building them, their owners or their level annotations), then those few rows
  with everything the page shows.
* The total is cached under the organization's data version (``core.cache``):
  any change to the organization's data invalidates it, so it is never stale.
"""

from __future__ import annotations

import hashlib
from functools import cached_property, partial

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import QuerySet

from core.api.pagination import StandardPagination
from core.cache import cached_for_org


def _count_key(queryset: QuerySet) -> str | None:
    """A name for the count of ``queryset``: the hash of its SQL without ordering,
    which holds the viewer (visibility), every filter and the thresholds."""
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:
        return None
    return "risks:count:" + hashlib.sha256(f"{sql}\x00{params!r}".encode()).hexdigest()[:40]


class RegisterPaginator(Paginator):
    """A Paginator for a sorted Risk queryset of one ``organization``.

    The queryset must have a total order (the register's always ends with the
    reference number). Pages hold lists, in the queryset's order."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, organization=None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.organization = organization

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        key = (
            _count_key(queryset) if self.organization is not None and isinstance(queryset, QuerySet) else None
        )
        if key is None:
            return super().count
        return cached_for_org(self.organization.pk, key, queryset.count)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    def _rows(self, bottom: int, top: int) -> list:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return list(queryset[bottom:top])
        ids = list(
            queryset.select_related(None).prefetch_related(None).values_list("pk", flat=True)[bottom:top]
        )
        if not ids:
            return []
        by_pk = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
        # A row changed or removed between the two reads is left out, never shown twice.
        return [by_pk[pk] for pk in ids if pk in by_pk]


class RegisterApiPagination(StandardPagination):
    """The API's page-number pagination with :class:`RegisterPaginator` for the
    view's organization: same parameters and response shape as every list."""

    def paginate_queryset(self, queryset, request, view=None):
        self.django_paginator_class = partial(
            RegisterPaginator, organization=getattr(view, "organization", None)
        )
        return super().paginate_queryset(queryset, request, view)
