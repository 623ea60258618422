"""Evidence metadata from a spreadsheet: links (a file cannot come from a
spreadsheet; upload it on the page or through the API). The columns are those
of the evidence export; each row is checked into the values
``services.evidence_import`` writes, every problem as ``row N, field: message``.
A row whose title and link match a piece already recorded updates it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.members import members_of

from ..models import AnnexAControl, Risk
from .models import Evidence, EvidenceKind
from .selectors import csf_outcomes

REQUIRED_HEADERS = ("title", "link", "owner", "valid_until")
MAX_ROWS = 1000


@dataclass
class ParsedLink:
    line: int
    title: str
    url: str
    owner_email: str
    valid_until: str
    outcomes: list = field(default_factory=list)
    controls: list = field(default_factory=list)
    risks: list = field(default_factory=list)
    description: str = ""
    evidence_id: int | None = None
    action: str = "create"


def _codes(text: str) -> list[str]:
    return [c.strip() for c in (text or "").replace(";", ",").split(",") if c.strip()]


def parse_rows(rows: list[dict], organization) -> tuple[list[ParsedLink], list[str]]:
    people = {u.email.lower(): u for u in members_of(organization)}
    outcomes = {s.code: s for s in csf_outcomes()}
    controls = {c.code: c for c in AnnexAControl.objects.all()}
    risks = {r.reference: r for r in Risk.objects.filter(organization=organization)}
    links = {
        (e.title, e.url): e
        for e in Evidence.objects.filter(organization=organization, kind=EvidenceKind.LINK)
    }
    parsed, errors = [], []
    for index, row in enumerate(rows, start=2):
        problems = []
        title, url = (row.get("title") or "").strip(), (row.get("link") or "").strip()
        if not title:
            problems.append(("title", "Give the evidence a title."))
        if not url.lower().startswith(("https://", "http://")):
            problems.append(
                (
                    "link",
                    "Use a web address starting with https:// or http:// (files are uploaded on the page).",
                )
            )
        owner = (row.get("owner") or "").strip().lower()
        if owner not in people:
            problems.append(("owner", f"“{owner[:60]}” is not the e-mail of a member of this organization."))
        try:
            valid_until = date.fromisoformat((row.get("valid_until") or "").strip()[:10]).isoformat()
        except ValueError:
            valid_until = ""
            problems.append(("valid_until", "Write the date as YYYY-MM-DD."))
        named = {
            "csf_outcomes": (_codes(row.get("csf_outcomes")), outcomes),
            "annex_a_controls": (_codes(row.get("annex_a_controls")), controls),
            "risks": (_codes(row.get("risks")), risks),
        }
        for column, (codes, known) in named.items():
            unknown = [c for c in codes if c not in known]
            if unknown:
                problems.append((column, f"Unknown: {', '.join(unknown[:5])}."))
        if not any(codes for codes, _ in named.values()):
            problems.append(
                ("annex_a_controls", "Name at least one CSF outcome, Annex A control or risk it supports.")
            )
        if problems:
            errors.extend(f"row {index}, {name}: {message}" for name, message in problems)
            continue
        existing = links.get((title, url))
        parsed.append(
            ParsedLink(
                line=index,
                title=title,
                url=url,
                owner_email=owner,
                valid_until=valid_until,
                outcomes=named["csf_outcomes"][0],
                controls=named["annex_a_controls"][0],
                risks=named["risks"][0],
                description=(row.get("description") or "").strip(),
                evidence_id=existing.pk if existing else None,
                action="update" if existing else "create",
            )
        )
    return parsed, errors
