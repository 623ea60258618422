"""The intake queue's rows (templates/governance/intake/list.html).

A page of the queue shows 25 requests, each with two SLA clocks (one for
phones, one for wider screens) and a few dozen variables. Through the template
engine that cost grew with the rows and made the page's time follow the
queue's size; here the detail URL is reversed once (with a stand-in id,
replaced by each request's own) and the rows are built with plain string
formatting, every text escaped (quotes included) before it goes in.
"""

from __future__ import annotations

from html import escape  # the standard library's: called for every cell

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_REQUEST_SLOT = "987654321"


def _days(count) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def _sla_clock(intake, clock) -> str:
    """The SLA clock: where the request stands against its SLA, in words and as a bar."""
    if intake.is_decided:
        text = f"Decided in {clock.decision_days} of {clock.sla_days} d"
    elif clock.paused:
        text = (
            f'<i class="bi bi-pause-circle" aria-hidden="true"></i> Paused · {clock.elapsed_days} of '
            f"{clock.sla_days} d"
        )
    else:
        text = f"{escape(clock.label)} · {clock.elapsed_days} of {clock.sla_days} d"
    return (
        f'<div class="sla-clock sla-{clock.css}"><span class="small fw-semibold">{text}</span> '
        f'<span class="sla-bar" role="img" aria-label="{clock.bar_percent}% of the SLA used">'
        f'<svg viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true"><rect class="sla-fill-{clock.css}" '
        f'x="0" y="0" height="4" width="{clock.bar_percent}"></rect></svg></span></div>'
    )


def _submitted(value) -> str:
    if not value:
        return ""
    return dateformat.format(timezone.localtime(value) if timezone.is_aware(value) else value, "j M Y")


@register.simple_tag
def intake_queue_rows(rows, org_slug: str, is_reviewer: bool) -> SafeString:
    """The ``<tr>`` of each queue row (governance.intake.selectors.QueueRow)."""
    head, _, tail = reverse("governance:intake_detail", args=[org_slug, _REQUEST_SLOT]).rpartition(
        _REQUEST_SLOT
    )
    parts = []
    for row in rows:
        intake, clock = row.request, row.clock
        url = escape(f"{head}{intake.pk}{tail}")
        reference = escape(intake.reference)
        requester = f"{escape(intake.requester.display_name)} · " if is_reviewer else ""
        tier = (
            f'<span class="badge tier-{escape(intake.tier)}">{escape(str(intake.get_tier_display()))}</span>'
        )
        status = (
            f'<span class="badge intake-status intake-status-{escape(intake.status)}">'
            f"{escape(str(intake.get_status_display()))}</span>"
        )
        proposed = ""
        if intake.proposed_decision and intake.is_open:
            proposed = (
                f'<div class="small text-body-secondary">proposed: '
                f"{escape(str(intake.get_proposed_decision_display()).lower())}</div>"
            )
        sla = _sla_clock(intake, clock)
        age = _days(clock.age_days)
        parts.append(
            f'<tr data-href="{url}">'
            f'<td class="small text-body-secondary d-none d-md-table-cell">{reference}</td>'
            f'<td class="queue-title"><a class="fw-semibold" href="{url}">{escape(intake.title)}</a>'
            f'<div class="small text-body-secondary"><span class="d-md-none">{reference} · </span>{requester}'
            f'sponsor {escape(intake.sponsor)}<span class="d-lg-none"> · {age} old</span></div>'
            f'<div class="d-sm-none mt-2 d-flex flex-wrap gap-1 align-items-center">{tier} {status}</div>'
            f'<div class="d-sm-none mt-2">{sla}</div></td>'
            f'<td class="d-none d-sm-table-cell">{tier}</td>'
            f'<td class="d-none d-sm-table-cell">{status}{proposed}</td>'
            f'<td class="small d-none d-lg-table-cell">{age}<div class="text-body-secondary">'
            f"{_submitted(intake.submitted_at)}</div></td>"
            f'<td class="d-none d-sm-table-cell">{sla}</td></tr>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above
