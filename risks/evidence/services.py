"""Every write to evidence: add a file or a link, change it, delete it, and
hand a file over for download (recorded on the Audit page).

Rules kept here:
- the CIO and the CISO add and change any piece; a contributor adds pieces
  and changes or deletes only their own;
- a file is checked (``risks.evidence.uploads``) before it is stored, and
  stored only through the storage API (``risks.evidence.storage``) under a
  name Concord makes; a stored file that the transaction does not keep is
  removed again;
- each piece supports at least one outcome, control, risk or mitigation, all
  of the same organization; the owner is a member of it.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.concurrency import lock_for_update
from core.errors import DomainError, ImportFailed, NotAllowed
from core.members import members_of, require_member
from core.models import Organization, User
from core.permissions import has_perm, require_perm
from core.roles import Perm
from core.services import is_unchanged, record_change, record_creation, record_deletion
from core.validation import text_problem

from . import storage, uploads
from .models import Evidence, EvidenceKind

LINK_FIELDS = ("annex_a_controls", "risks", "mitigations", "csf_subcategories")
MAX_YEARS_VALID = 10


def _require_adder(actor, organization) -> None:
    require_perm(actor, organization, Perm.EVIDENCE_ADD, "Your role does not allow adding evidence.")


def _require_changer(actor, evidence: Evidence) -> None:
    if actor is None or has_perm(actor, evidence.organization, Perm.EVIDENCE_VIEW):
        return
    if has_perm(actor, evidence.organization, Perm.EVIDENCE_ADD) and evidence.added_by_id == actor.pk:
        return
    raise NotAllowed("Only the CIO, the CISO or the person who added it can change this evidence.")


def _check_links(organization: Organization, links: dict, *, actor=None) -> None:
    if not any(links.get(name) for name in LINK_FIELDS):
        raise DomainError(
            "Link the evidence to at least one CSF outcome, Annex A control, risk or mitigation.",
            field="annex_a_controls",
        )
    for name in ("risks", "mitigations"):
        for item in links.get(name) or ():
            if item.organization_id != organization.pk:
                raise DomainError("Choose risks and mitigations of this organization.", field=name)
            # Nobody links evidence to a risk they may not read (a contributor
            # sees only what the register shows them).
            if actor is not None and not type(item).objects.visible_to(actor).filter(pk=item.pk).exists():
                raise DomainError("Choose risks and mitigations you can see.", field=name)


def _check_fresh(actor, organization: Organization, valid_until: date) -> None:
    """Only the CIO and CISO record evidence that has already expired (a past
    audit, say): expired evidence lowers the level it supports, which is theirs
    to judge, not a contributor's."""
    if actor is None or has_perm(actor, organization, Perm.EVIDENCE_VIEW):
        return
    if valid_until is not None and valid_until < timezone.localdate():
        raise DomainError(
            "Evidence you add must still be valid: give a date from today on.", field="valid_until"
        )


def _check_values(organization: Organization, *, title: str, owner, valid_until: date, url: str = "") -> None:
    if not (title or "").strip():
        raise DomainError("Give the evidence a title.", field="title")
    problem = text_problem(title, one_line=True)
    if problem:
        raise DomainError(f"The title {problem}", field="title")
    require_member(owner, organization, field="owner")
    if valid_until is None:
        raise DomainError("Say until when the evidence is valid.", field="valid_until")
    today = timezone.localdate()
    if valid_until > today.replace(year=today.year + MAX_YEARS_VALID):
        raise DomainError(f"Evidence can be valid for at most {MAX_YEARS_VALID} years.", field="valid_until")
    if url and not url.lower().startswith(("https://", "http://")):
        raise DomainError("Use a web address starting with https:// or http://.", field="url")


def _set_links(evidence: Evidence, links: dict) -> None:
    for name in LINK_FIELDS:
        if name in links:
            getattr(evidence, name).set(links[name] or [])


@transaction.atomic
def evidence_add_file(
    *,
    actor: User,
    organization: Organization,
    title: str,
    upload_name: str,
    data: bytes,
    owner: User,
    valid_until: date,
    description: str = "",
    **links,
) -> Evidence:
    """Check the file, store it through the storage API, record the piece."""
    _require_adder(actor, organization)
    _check_values(organization, title=title, owner=owner, valid_until=valid_until)
    _check_fresh(actor, organization, valid_until)
    _check_links(organization, links, actor=actor)
    checked = uploads.check_upload(upload_name, data, max_bytes=settings.EVIDENCE_MAX_BYTES)
    stored = storage.save(uploads.storage_name(organization.pk, checked.extension), data)
    try:
        evidence = Evidence(
            organization=organization,
            title=title.strip(),
            description=description,
            kind=EvidenceKind.FILE,
            stored_name=stored,
            file_name=checked.name,
            file_type=checked.extension,
            file_size=len(data),
            owner=owner,
            added_by=actor,
            valid_until=valid_until,
        )
        record_creation(evidence, actor=actor)
        _set_links(evidence, links)
    except BaseException:
        storage.delete(stored)  # nothing recorded: keep no orphan file
        raise
    return evidence


@transaction.atomic
def evidence_add_link(
    *,
    actor: User,
    organization: Organization,
    title: str,
    url: str,
    owner: User,
    valid_until: date,
    description: str = "",
    **links,
) -> Evidence:
    _require_adder(actor, organization)
    _check_values(organization, title=title, owner=owner, valid_until=valid_until, url=url)
    _check_fresh(actor, organization, valid_until)
    _check_links(organization, links, actor=actor)
    evidence = Evidence(
        organization=organization,
        title=title.strip(),
        description=description,
        kind=EvidenceKind.LINK,
        url=url,
        owner=owner,
        added_by=actor,
        valid_until=valid_until,
    )
    record_creation(evidence, actor=actor)
    _set_links(evidence, links)
    return evidence


@transaction.atomic
def evidence_update(
    *, actor: User, evidence: Evidence, expected_version: int | None = None, **values
) -> Evidence:
    """Change the title, description, link, owner, validity or what it supports."""
    _require_changer(actor, evidence)
    evidence = lock_for_update(Evidence, pk=evidence.pk, expected_version=expected_version)
    links = {name: values.pop(name) for name in LINK_FIELDS if name in values}
    for name in ("title", "description", "owner", "valid_until", "url"):
        if name in values:
            setattr(evidence, name, values[name])
    if evidence.kind == EvidenceKind.FILE and evidence.url:
        raise DomainError("A file cannot also be a link; add the link as its own piece.", field="url")
    if evidence.kind == EvidenceKind.LINK and not evidence.url:
        raise DomainError("Give the web address.", field="url")
    _check_values(
        evidence.organization,
        title=evidence.title,
        owner=evidence.owner,
        valid_until=evidence.valid_until,
        url=evidence.url,
    )
    if "valid_until" in values:
        _check_fresh(actor, evidence.organization, evidence.valid_until)
    if links:
        current = {name: list(getattr(evidence, name).all()) for name in LINK_FIELDS}
        _check_links(evidence.organization, {**current, **links}, actor=actor)
    changed_links = links and any(
        {o.pk for o in links[name] or []} != set(getattr(evidence, name).values_list("pk", flat=True))
        for name in links
    )
    if is_unchanged(evidence) and not changed_links:
        return evidence
    record_change(evidence, actor=actor, reason="Evidence changed.")
    _set_links(evidence, links)
    return evidence


@transaction.atomic
def evidence_delete(*, actor: User, evidence: Evidence, expected_version: int | None = None) -> None:
    _require_changer(actor, evidence)
    evidence = lock_for_update(Evidence, pk=evidence.pk, expected_version=expected_version)
    stored = evidence.stored_name
    record_deletion(evidence, actor=actor)
    if stored:  # the file goes once the deletion is committed
        transaction.on_commit(lambda: storage.delete(stored))


def evidence_open(*, actor: User, evidence: Evidence):
    """The stored file, opened for download. The caller has found ``evidence``
    through ``visible_to`` and hands the file over with
    ``core.downloads.download``, which records the download on the Audit page."""
    if evidence.kind != EvidenceKind.FILE:
        raise DomainError("This evidence is a link, not a file.", field="file")
    try:
        handle = storage.open_file(evidence.stored_name)
    except (FileNotFoundError, OSError):
        raise DomainError(
            "The file could not be found in storage. Ask the CIO or CISO to upload it again.", field="file"
        ) from None
    return handle


@transaction.atomic
def evidence_import(*, actor: User, organization: Organization, rows: list) -> tuple[int, int]:
    """Write every checked row (``risks.evidence.importing.ParsedLink``) or none:
    (created, updated)."""
    from ..models import AnnexAControl, Risk
    from .selectors import csf_outcomes

    _require_adder(actor, organization)
    people = {u.email.lower(): u for u in members_of(organization)}
    created = updated = 0
    for row in rows:
        values = {
            "title": row.title,
            "owner": people[row.owner_email],
            "valid_until": date.fromisoformat(row.valid_until),
            "description": row.description,
            "csf_subcategories": list(csf_outcomes().filter(code__in=row.outcomes)),
            "annex_a_controls": list(AnnexAControl.objects.filter(code__in=row.controls)),
            "risks": list(Risk.objects.filter(organization=organization, reference__in=row.risks)),
        }
        try:
            if row.evidence_id:
                evidence = Evidence.objects.get(pk=row.evidence_id, organization=organization)
                evidence_update(actor=actor, evidence=evidence, **values)
                updated += 1
            else:
                evidence_add_link(actor=actor, organization=organization, url=row.url, **values)
                created += 1
        except DomainError as exc:
            raise ImportFailed([f"row {row.line}, {exc.field or 'row'}: {exc.message}"]) from None
    return created, updated
