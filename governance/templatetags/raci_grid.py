"""Template tags of the ownership (RACI) grid (templates/governance/raci/_rows.html).

A page of the grid shows 25 activities × every party: several hundred cells,
each a button with its own URL and label. With a ``{% url %}`` and a dozen
variables per cell the template engine would cost more than the rest of the
page together, and make the page's time grow with the number of parties.
These tags reverse each URL once per rendering (with stand-in ids, replaced by
each row's and party's own), escape each party's name once, and build the
cells with plain string formatting, every text escaped (quotes included)
before it goes in.
"""

from __future__ import annotations

from html import escape  # the standard library's: called hundreds of times per page

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from ..raci.models import CSF_CATEGORIES, ProcessArea

register = template.Library()

# What a cell shows, its CSS modifier and its state in words, per letter ("" is an empty cell).
_SHOWN = {
    "": ("·", "empty", "empty"),
    "R": ("R", "R", "R"),
    "A": ("A", "A", "A"),
    "C": ("C", "C", "C"),
    "I": ("I", "I", "I"),
}
_AREAS = dict(ProcessArea.choices)
_CSF = dict(CSF_CATEGORIES)
# Stand-ins for the ids in a reversed URL, replaced by each row's and party's own.
_ACTIVITY_SLOT, _PARTY_SLOT = "987654321", "987654322"
_CACHE_KEY = "governance.raci_grid"


class _Urls:
    """The grid's URLs for one rendering, split around the ids they take."""

    def __init__(self, org_slug: str):
        cell = reverse("governance:raci_cell", args=[org_slug, _ACTIVITY_SLOT, _PARTY_SLOT])
        head, _, self.cell_tail = cell.rpartition(_PARTY_SLOT)  # the ids are the path's last parts
        self.cell_head, _, self.cell_mid = head.rpartition(_ACTIVITY_SLOT)
        self.edit_head, _, self.edit_tail = reverse(
            "governance:raci_activity_edit", args=[org_slug, _ACTIVITY_SLOT]
        ).rpartition(_ACTIVITY_SLOT)
        self.parties: dict[int, tuple[int, str]] = {}  # id(party) → its pk and escaped name

    def party(self, party) -> tuple[int, str]:
        """The same party objects come back on every row: prepare each once."""
        prepared = self.parties.get(id(party))
        if prepared is None:
            prepared = self.parties[id(party)] = (party.pk, escape(party.name))
        return prepared


def _urls(context) -> _Urls:
    urls = context.render_context.get(_CACHE_KEY)
    if urls is None:
        urls = context.render_context[_CACHE_KEY] = _Urls(context["org"].slug)
    return urls


@register.simple_tag(takes_context=True)
def raci_edit_url(context, activity) -> str:
    urls = _urls(context)
    return f"{urls.edit_head}{activity.pk}{urls.edit_tail}"


@register.simple_tag(takes_context=True)
def raci_cells(context, row, can_edit: bool) -> SafeString:
    """The party cells (``<td>``) of one ``GridRow``: buttons that cycle the
    letter for an editor (their row carries ``hx-target``), letters otherwise."""
    urls, parts = _urls(context), []
    if can_edit:
        head = escape(f"{urls.cell_head}{row.activity.pk}{urls.cell_mid}")
        tail = escape(urls.cell_tail)
        activity = escape(row.activity.name)
        for party, letter in row.cells:
            shown, css, state = _SHOWN.get(letter, _SHOWN[""])
            pk, name = urls.party(party)
            parts.append(
                f'<td class="raci-cell"><button type="button" class="raci-letter raci-{css}" '
                f'hx-post="{head}{pk}{tail}" title="{name}: {state} — click for the next letter" '
                f'aria-label="{activity}, {name}: {state}. Click to change.">{shown}</button></td>'
            )
    else:
        for party, letter in row.cells:
            shown, css, _ = _SHOWN.get(letter, _SHOWN[""])
            parts.append(
                f'<td class="raci-cell"><span class="raci-letter raci-{css}" '
                f'title="{urls.party(party)[1]}">{shown}</span></td>'
            )
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above


@register.filter
def raci_area(code: str) -> str:
    """A process area's label (what ``get_process_area_display`` gives, without its per-call cost)."""
    return _AREAS.get(code, code)


@register.filter
def raci_csf(code: str) -> str:
    """A NIST CSF 2.0 category's label."""
    return _CSF.get(code, code)
