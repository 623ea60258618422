"""Why the alignment score moved between two reports: pure functions on the
``alignment`` part of two snapshots (``governance.alignment.rules.AlignmentScore.as_dict``
plus its ``inputs``), no database.

Each part adds ``effective weight × value × 100`` points to the score. The
reasons are the parts whose contribution moved most, each told in words from
the part's own counts ("3 more KPIs on target: 9 of 12, was 6 of 12")."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from governance.alignment import rules as alignment

REASONS = 3
NOTICEABLE = 0.5  # points on the score; smaller moves are not a reason
TENTH = Decimal("0.1")


def tenths(value: float) -> float:
    """``value`` rounded half-up to one decimal (1.25 → 1.3, −1.25 → −1.3), so the
    reasons, the rest and the score's change add up the way they are printed."""
    return float(Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP))


def contribution(part: dict) -> float:
    """Points a part adds to the score (0 when it is not measured)."""
    if part.get("value") is None:
        return 0.0
    return float(part.get("effective_weight") or 0) * float(part["value"]) * 100


def _was(now: int, before: int, total_now: int | None = None, total_before: int | None = None) -> str:
    if total_now is None:
        return f"{now}, was {before}"
    if total_now == total_before:
        return f"{now} of {total_now}, was {before}"
    return f"{now} of {total_now}, was {before} of {total_before}"


def _more_or_fewer(delta: int, thing: str, things: str | None = None) -> str:
    n = abs(delta)
    word = "more" if delta > 0 else "fewer"
    return f"{n} {word} {thing if n == 1 else (things or thing + 's')}"


def _detail(key: str, now: dict, before: dict) -> str:
    """The counts behind a part's move, in plain words."""
    if key == alignment.AGREEMENT:
        agreed_now = now["open_risks"] - now["divergent"] - now["not_assessed"]
        agreed_before = before["open_risks"] - before["divergent"] - before["not_assessed"]
        return (
            f"open risks on which the CIO and the CISO agree: "
            f"{_was(agreed_now, agreed_before, now['open_risks'], before['open_risks'])}; "
            f"risks they assess differently: {_was(now['divergent'], before['divergent'])}"
        )
    if key == alignment.ACCOUNTABILITY:
        clean_now = now["activities"] - now["gaps"] - now["overlaps"]
        clean_before = before["activities"] - before["gaps"] - before["overlaps"]
        return (
            f"activities with one clear owner: "
            f"{_was(clean_now, clean_before, now['activities'], before['activities'])}"
        )
    if key == alignment.KPI_HEALTH:
        total_now = now["green"] + now["amber"] + now["red"] + now["stale"]
        total_before = before["green"] + before["amber"] + before["red"] + before["stale"]
        moved = now["green"] - before["green"]
        lead = f"{_more_or_fewer(moved, 'KPI')} on target: " if moved else "KPIs on target: "
        return lead + _was(now["green"], before["green"], total_now, total_before)
    if key == alignment.LATENCY:
        return (
            "project decisions taken in time: "
            f"{_was(now['decided_on_time'], before['decided_on_time'], now['decided'], before['decided'])}; "
            f"decisions overdue: {_was(now['pending_overdue'], before['pending_overdue'])}"
        )
    if key == alignment.LINKAGE:

        def share(inputs: dict) -> str:
            total = Decimal(str(inputs["security_budget"] or 0))
            linked = Decimal(str(inputs["linked_budget"] or 0))
            return "none" if not total else f"{round(linked / total * 100)}%"

        return f"share of the security budget that reduces a named risk: {share(now)}, was {share(before)}"
    return ""


def score_reasons(previous: dict | None, current: dict, *, limit: int = REASONS) -> list[dict]:
    """The ``limit`` parts whose contribution to the score moved most since the
    previous report, biggest move first: ``{"key", "label", "points"`` (signed
    points on the score, one decimal, rounded half-up)``, "direction"`` ("up"/"down")``, "text"}``.
    Empty without a previous report or a score."""
    if not previous or previous.get("score") is None or current.get("score") is None:
        return []
    before_parts = {p["key"]: p for p in previous.get("parts", [])}
    before_inputs, now_inputs = previous.get("inputs") or {}, current.get("inputs") or {}
    input_key = {
        alignment.AGREEMENT: "agreement",
        alignment.ACCOUNTABILITY: "accountability",
        alignment.KPI_HEALTH: "kpis",
        alignment.LATENCY: "latency",
        alignment.LINKAGE: "linkage",
    }
    moves = []
    for part in current.get("parts", []):
        before = before_parts.get(part["key"])
        if before is None:
            continue
        delta = contribution(part) - contribution(before)
        if abs(delta) < NOTICEABLE:
            continue
        name = input_key.get(part["key"])
        detail = ""
        if name in now_inputs and name in before_inputs:
            detail = _detail(part["key"], now_inputs[name], before_inputs[name])
        points = tenths(delta)
        verb = "improved" if delta > 0 else "weakened"
        was = "not measured" if before.get("points") is None else f"{before['points']}"
        now = "not measured" if part.get("points") is None else f"{part['points']}"
        text = f"{part['label']} {verb} from {was} to {now} out of 100"
        moves.append(
            {
                "key": part["key"],
                "label": part["label"],
                "points": points,
                "direction": "up" if delta > 0 else "down",
                "text": text + (f": {detail}." if detail else "."),
                "size": abs(delta),
            }
        )
    moves.sort(key=lambda m: -m["size"])
    return [{k: v for k, v in m.items() if k != "size"} for m in moves[:limit]]


def reasons_rest(change: int | None, reasons: list[dict]) -> float:
    """The points of the score's change the listed reasons do not account for
    (smaller moves of other parts, rounding of the whole score), to one
    decimal: 0 when they add up."""
    if change is None or not reasons:
        return 0
    return tenths(change - sum(Decimal(str(r["points"])) for r in reasons))
