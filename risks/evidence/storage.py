"""The one door to evidence files: Django's storage API, storage alias
``evidence`` (settings.STORAGES). The filesystem by default (a private folder,
never served as media); any S3-compatible service through django-storages when
``EVIDENCE_STORAGE_BACKEND`` says so (docs/OPERATIONS.md). Looked up on each
use, so that a test (or a deployment) can swap the backend."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

ALIAS = "evidence"


def evidence_storage() -> Storage:
    return storages[ALIAS]


def save(name: str, data: bytes) -> str:
    """Store ``data``; the name the storage chose (it may differ if taken)."""
    return evidence_storage().save(name, ContentFile(data))


def open_file(name: str):
    return evidence_storage().open(name, "rb")


def delete(name: str) -> None:
    if name:
        evidence_storage().delete(name)
