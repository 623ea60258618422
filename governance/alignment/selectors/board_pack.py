"""The board pack: what a report adds to the shared picture for a board member
— what is asked of them, what was decided since the last report, the risks in
business terms, accepted risks with both signers, headline KPIs and why the
score moved. Built once into the report's snapshot (plain JSON values), so the
page and the PDF show the same frozen figures.

Every figure comes from the app that owns it (risks, kpis and budgets
selectors, core sign-offs); this module only selects and names."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core import joint
from core.models import SignOff, SignOffDecision
from core.money import money_text
from core.roles import Role
from core.selectors import signoff_status
from governance.alignment.glossary import glossary_entries
from governance.alignment.reasons import reasons_rest, score_reasons
from governance.models import ASK_PURPOSE, AlignmentReport, BoardAsk
from kpis import selectors as kpi_selectors
from risks import selectors as risk_selectors

HEADLINE_MAX = 8
ABOVE_APPETITE_MAX = 60  # a longer list says how many more the register holds
TAKEN_LIMIT = 12


def _name(user) -> str:
    return user.display_name if user else "someone no longer here"


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date().isoformat()
    return value.isoformat()


def previous_report(report: AlignmentReport) -> AlignmentReport | None:
    """The latest published report of an earlier period."""
    return (
        AlignmentReport.objects.published()
        .filter(organization=report.organization, period_end__lt=report.period_end)
        .order_by("-period_end")
        .first()
    )


# ------------------------------------------------------------------ asks ----


def _asks(report: AlignmentReport) -> list[dict]:
    """The asks both executives confirmed, soonest deadline first."""
    rows = []
    for ask in BoardAsk.objects.filter(report=report).select_related("risk", "proposed_by"):
        status = signoff_status(ask, ASK_PURPOSE)
        if not status.approved:
            continue
        rows.append(
            {
                "kind": ask.get_kind_display(),
                "title": ask.title,
                "recommendation": ask.recommendation,
                "amount": money_text(ask.amount) if ask.amount is not None else None,
                "deadline": ask.deadline.isoformat(),
                "risk": ask.risk.title if ask.risk else None,
                "cio": _name(status.cio.signer),
                "ciso": _name(status.ciso.signer),
            }
        )
    return rows


# ---------------------------------------------------------------- risks ----


def _with_details(rows: list[dict], details: dict[int, dict]) -> list[dict]:
    return [
        {**{k: v for k, v in row.items() if k != "url"}, **details.get(row["id"], {})}
        for row in rows
        if row["id"] in details
    ]


def _signers(signoffs: list[SignOff]) -> dict[str, SignOff]:
    """The latest approving sign-off per role."""
    chosen: dict[str, SignOff] = {}
    for row in sorted(signoffs, key=lambda s: s.signed_at):
        if row.decision == SignOffDecision.APPROVE:
            chosen[row.role] = row
    return chosen


# ------------------------------------------------------- decisions taken ----


def _joint_outcome(subject) -> str:
    """What the CIO and the CISO decided together. A budget proposal's later
    state is the board's decision (a row of its own, by the board, on its date)."""
    if subject._meta.label_lower == "budgets.proposal":
        return "Submitted to the board"
    return getattr(subject, "get_status_display", lambda: "")()


def _taken(organization, since: datetime, budget: dict) -> list[dict]:
    """Joint decisions completed since ``since`` (each with both signers and the
    date), plus the board's own budget decision. Read from the sign-off table
    through the joint-decision registry: a new kind of decision shows up too."""
    rows = (
        SignOff.objects.filter(organization=organization, signed_at__gte=since)
        .exclude(purpose=ASK_PURPOSE)
        .select_related("signer", "content_type")
        .order_by("signed_at")
    )
    grouped: dict[tuple, list[SignOff]] = {}
    for row in rows:
        grouped.setdefault((row.content_type_id, row.object_id, row.purpose), []).append(row)
    taken = []
    for (ct_id, object_id, purpose), signoffs in grouped.items():
        signed = _signers(signoffs)
        if Role.CIO not in signed or Role.CISO not in signed:
            continue
        model = ContentType.objects.get_for_id(ct_id).model_class()
        subject = model._default_manager.filter(pk=object_id).first() if model else None
        decision = joint.lookup(subject, purpose) if subject is not None else None
        if decision is None or not decision.is_complete(subject):
            continue
        outcome = _joint_outcome(subject)
        taken.append(
            {
                "kind": decision.label,
                "title": getattr(subject, "title", "") or str(subject),
                "reference": getattr(subject, "reference", "") or "",
                "outcome": outcome,
                "who": f"{_name(signed[Role.CIO].signer)} (CIO) and {_name(signed[Role.CISO].signer)} (CISO)",
                "on": _iso(max(s.signed_at for s in signed.values())),
            }
        )
    proposal = budget.get("proposal")
    if proposal and proposal.get("status_key") in ("approved", "returned") and proposal.get("state_date"):
        decided = date.fromisoformat(proposal["state_date"][:10])
        if decided >= timezone.localtime(since).date():
            taken.append(
                {
                    "kind": "Budget decision",
                    "title": proposal["title"],
                    "reference": "",
                    "outcome": proposal["status"],
                    "who": "The board",
                    "on": decided.isoformat(),
                }
            )
    taken.sort(key=lambda row: row["on"] or "", reverse=True)
    return taken[:TAKEN_LIMIT]


# ------------------------------------------------------------------ KPIs ----


def _headline_kpis(organization, user, kpis: dict) -> dict:
    chosen = list(organization.headline_kpis or [])[:HEADLINE_MAX]
    fallback = not chosen
    if fallback:  # not chosen yet: the KPIs most in need of attention
        chosen = [item["id"] for item in (kpis.get("items") or [])[:HEADLINE_MAX]]
    items = kpi_selectors.kpi_headline(organization, chosen, user=user)
    if not items and not fallback:  # the chosen KPIs are gone: show those most in need of attention
        return _headline_kpis_fallback(organization, user, kpis)
    return {"items": items, "chosen_jointly": not fallback}


def _headline_kpis_fallback(organization, user, kpis: dict) -> dict:
    chosen = [item["id"] for item in (kpis.get("items") or [])[:HEADLINE_MAX]]
    return {"items": kpi_selectors.kpi_headline(organization, chosen, user=user), "chosen_jointly": False}


# ------------------------------------------------------------- sentences ----


def pack_sentences(picture: dict, pack: dict) -> list[str]:
    """Three to five plain sentences on the state, for page 1."""
    a, risks, kpis = picture["alignment"], picture["risks"], picture["kpis"]
    lines = []
    if a["score"] is not None:
        how = {"good": "well", "fair": "fairly well", "poor": "poorly"}.get(a["band"], "")
        lines.append(f"IT and security work together {how}: the alignment score is {a['score']} out of 100.")
    crit_high = risks["levels"]["critical"] + risks["levels"]["high"]
    if risks["open"]:
        lines.append(
            f"Of {risks['open']} open risk{'s' if risks['open'] != 1 else ''}, {crit_high} "
            f"{'are' if crit_high != 1 else 'is'} high or critical and {risks['above_appetite_count']} "
            f"exceed{'s' if risks['above_appetite_count'] == 1 else ''} what the organization has agreed to tolerate."
        )
    else:
        lines.append("No open risks are recorded yet.")
    if pack["accepted"]:
        n = len(pack["accepted"])
        lines.append(
            f"{n} risk{'s are' if n != 1 else ' is'} knowingly accepted for a limited time, "
            "each signed by both the CIO and the CISO."
        )
    if kpis["total"]:
        lines.append(f"{kpis['green']} of {kpis['total']} performance indicators are on target.")
    if pack["asks"]:
        n = len(pack["asks"])
        lines.append(f"We ask the board for {n} decision{'s' if n != 1 else ''}, listed below.")
    else:
        lines.append("Nothing is asked of the board this time.")
    return lines[:5]


def board_pack(report: AlignmentReport, picture: dict, *, user=None, now=None) -> dict:
    """The board pack's own content for ``report``'s snapshot (``picture`` is the
    shared picture read for it)."""
    now = now or timezone.now()
    organization = report.organization
    previous = previous_report(report)
    prev_snapshot = (previous.snapshot or {}) if previous else {}
    # Decisions taken after the previous report's period ended (that report
    # covered the ones before), else since this period began.
    first_day = previous.period_end + timedelta(days=1) if previous else report.period_start
    since = timezone.make_aware(datetime.combine(first_day, datetime.min.time()))
    risks = picture["risks"]
    # Every risk above appetite (up to ABOVE_APPETITE_MAX), not only the dashboard's first few.
    above = risk_selectors.above_appetite_digests(organization, ABOVE_APPETITE_MAX, user=user)
    ids = sorted({r["id"] for key in ("top", "divergences") for r in risks[key]} | {r["id"] for r in above})
    details = risk_selectors.risk_board_details(organization, ids, user=user)
    pack = {
        "as_of": timezone.localtime(now).date().isoformat(),
        "to_date": timezone.localtime(now).date() < report.period_end,
        "previous": {
            "label": previous.period_label,
            "score": previous.score,
            "built_at": prev_snapshot.get("built_at"),
        }
        if previous
        else None,
        "reasons": score_reasons(prev_snapshot.get("alignment"), picture["alignment"]),
        "asks": _asks(report),
        "taken": _taken(organization, since, picture["budget"]),
        "top_risks": _with_details(risks["top"], details),
        "above_appetite": _with_details(above, details),
        "divergences": _with_details(risks["divergences"], details),
        "accepted": risk_selectors.accepted_risks_signed(organization, user=user),
        "headline_kpis": _headline_kpis(organization, user, picture["kpis"]),
    }
    pack["reasons_rest"] = reasons_rest(picture["alignment"].get("change"), pack["reasons"])
    pack["sentences"] = pack_sentences(picture, pack)
    pack["glossary"] = glossary_entries(json.dumps([picture, pack], ensure_ascii=False))
    return pack


__all__ = ["board_pack", "pack_sentences", "previous_report"]
