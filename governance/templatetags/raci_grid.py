"""Template helpers of the ownership (RACI) grid (templates/governance/raci/partials/rows.html).

The markup is in the template. A page of the grid shows 25 activities × every
party: several hundred cells, each a button with its own URL. Reversing a URL
per cell would cost more than the rest of the page, so ``raci_urls`` reverses
each URL once per rendering (with stand-in ids) and gives the template the
parts around the ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.urls import reverse

from ..raci.models import CSF_CATEGORIES, ProcessArea

register = template.Library()

_AREAS = dict(ProcessArea.choices)
_CSF = dict(CSF_CATEGORIES)
# Stand-ins for the ids in a reversed URL, replaced by each row's and party's own.
_ACTIVITY_SLOT, _PARTY_SLOT = "987654321", "987654322"
_CACHE_KEY = "governance.raci_grid"


class _Reversed:
    """The grid's URLs for one rendering, split around the ids they take."""

    def __init__(self, org_slug: str):
        cell = reverse("governance:raci_cell", args=[org_slug, _ACTIVITY_SLOT, _PARTY_SLOT])
        head, _, self.cell_tail = cell.rpartition(_PARTY_SLOT)  # the ids are the path's last parts
        self.cell_head, _, self.cell_mid = head.rpartition(_ACTIVITY_SLOT)
        self.edit_head, _, self.edit_tail = reverse(
            "governance:raci_activity_edit", args=[org_slug, _ACTIVITY_SLOT]
        ).rpartition(_ACTIVITY_SLOT)


@dataclass(frozen=True, slots=True)
class RowUrls:
    """One row's URLs: its activity's edit page, and its cells' URL without the party id
    (``{{ urls.cell_head }}{{ party.pk }}{{ urls.cell_tail }}``)."""

    edit: str
    cell_head: str
    cell_tail: str


@register.simple_tag(takes_context=True)
def raci_urls(context, activity) -> RowUrls:
    reversed_ = context.render_context.get(_CACHE_KEY)
    if reversed_ is None:
        reversed_ = context.render_context[_CACHE_KEY] = _Reversed(context["org"].slug)
    return RowUrls(
        edit=f"{reversed_.edit_head}{activity.pk}{reversed_.edit_tail}",
        cell_head=f"{reversed_.cell_head}{activity.pk}{reversed_.cell_mid}",
        cell_tail=reversed_.cell_tail,
    )


@register.filter
def raci_area(code: str) -> str:
    """A process area's label (what ``get_process_area_display`` gives, without its per-call cost)."""
    return _AREAS.get(code, code)


@register.filter
def raci_csf(code: str) -> str:
    """A NIST CSF 2.0 category's label."""
    return _CSF.get(code, code)
