"""Evidence metadata as spreadsheet rows (the files themselves never leave
through an export)."""

from __future__ import annotations

from django.utils import timezone

EVIDENCE_HEADERS = (
    "Title",
    "Kind",
    "File name",
    "Link",
    "Owner",
    "Valid until",
    "Expired",
    "CSF outcomes",
    "Annex A controls",
    "Risks",
    "Mitigations",
    "Description",
)  # the import (risks/evidence/importing.py) reads the same columns back; the owner by e-mail
WIDTHS = (40, 8, 28, 40, 22, 12, 9, 24, 24, 18, 30, 50)


def _codes(items, attr="code") -> str:
    return ", ".join(getattr(item, attr) for item in items)


def evidence_rows(items):
    today = timezone.localdate()
    for e in items:
        outcomes = e.csf_subcategories.all()
        yield (
            e.title,
            e.get_kind_display(),
            e.file_name,
            e.url,
            e.owner.email,
            e.valid_until,
            "yes" if e.valid_until < today else "no",
            _codes(outcomes),
            _codes(e.annex_a_controls.all()),
            _codes(e.risks.all(), "reference"),
            "; ".join(m.title for m in e.mitigations.all()),
            e.description,
        )
