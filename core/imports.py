"""The one import flow: upload → preview (or every row error) → confirm, all
or nothing. Every CSV/XLSX import of Concord is an ``ImportFlowView``; an app
declares only how to check its rows and how to write them.

1. **Upload.** ``core.tabular.read_rows`` reads the file (size, type, zip
   bombs, encoding: ``FileRefused`` names the problem on the form).
2. **Preview.** ``check(rows)`` (the app's parser and validator, writing
   nothing) returns an ``ImportPreview``: what each row would do, or every
   problem as ``row N, field: message`` (the header is row 1). A file with any
   problem can't be confirmed.
3. **Confirm.** The previewed rows wait in the person's session; the page gets
   a signed *preview token* naming a digest of exactly those rows. Confirming
   needs that token: a token that was altered, that has expired
   (``IMPORT_PREVIEW_MAX_AGE`` seconds, an hour by default) or whose rows are no
   longer the ones waiting (another file previewed since, in another tab)
   imports nothing and asks for the file again. ``write(rows, state)`` (the
   app's service, one transaction) then imports every row or raises
   ``ImportFailed`` and writes none. The token is single use.

Pages include ``includes/import_flow.html`` (errors, preview, confirmation and
upload form) and give the preview table (``preview_template``) and the file
layout help (``columns_template``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from .errors import DomainError, ImportFailed
from .forms import StyledFormMixin
from .mixins import OrgViewMixin, add_domain_error
from .tabular import read_rows

ACTIONS = ("create", "update", "unchanged")
__all__ = ["ACTIONS", "ImportFailed", "ImportFlowView", "ImportForm", "ImportPreview"]
_SALT = "concord.imports.preview"


@dataclass
class ImportPreview:
    """What the app's check found. ``rows``: one item per row with ``action``
    (one of ``ACTIONS``); ``errors``: every ``row N, field: message``;
    ``state``: JSON facts the writer needs at confirmation (e.g. the versions
    seen at the preview, so that a record changed since fails)."""

    rows: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    state: dict = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def to_write(self) -> int:
        counts = self.counts
        return counts["create"] + counts["update"]


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="CSV or Excel file")


def rows_digest(rows: list[dict]) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def preview_max_age() -> int:
    return int(settings.IMPORT_PREVIEW_MAX_AGE)


def preview_token(*, key: str, nonce: str, digest: str) -> str:
    return signing.dumps({"import": key, "nonce": nonce, "rows": digest}, salt=_SALT)


class PreviewRefused(Exception):
    """The confirmation does not match a preview of this person; nothing is imported."""


def check_token(token: str, *, key: str, stored: dict | None) -> None:
    """Refuse a confirmation whose token was altered, has expired, belongs to
    another import, or names rows other than those waiting in the session."""
    try:
        claims = signing.loads(token or "", salt=_SALT, max_age=preview_max_age())
    except signing.SignatureExpired:
        raise PreviewRefused(
            "This preview has expired: nothing was imported. Upload the file again."
        ) from None
    except signing.BadSignature:
        raise PreviewRefused(
            "This confirmation does not match a preview: nothing was imported. Upload the file again."
        ) from None
    if not stored:
        raise PreviewRefused("There is no previewed file to import. Upload it again.")
    if (
        claims.get("import") != key
        or claims.get("nonce") != stored.get("nonce")
        or claims.get("rows") != stored.get("digest")
        or rows_digest(stored.get("rows") or []) != stored.get("digest")
    ):
        raise PreviewRefused(
            "The file waiting to be imported is not the one this preview showed (another file was "
            "previewed since): nothing was imported. Upload the file again."
        )


class ImportFlowView(OrgViewMixin, TemplateView):
    """Upload → preview → confirm. Subclasses set the page and the rules:

    - ``import_key`` (names the session entry), ``import_perm`` (404 without it),
      ``required_headers``, ``max_rows``, ``file_help``;
    - ``template_name`` (a page that includes ``includes/import_flow.html``),
      ``preview_template`` (the preview table's rows), ``columns_template``;
    - ``check(rows) -> ImportPreview`` and ``write(rows, state) -> str`` (the
      success message; raises ``ImportFailed``); ``get_success_url()``.
    """

    import_key = ""
    import_perm = None
    required_headers: tuple[str, ...] = ()
    max_rows = 5000
    file_help = ""
    preview_template = ""
    columns_template = ""
    confirm_note = ""

    # ------------------------------------------------------- app hooks ----
    def check(self, rows: list[dict]) -> ImportPreview:
        raise NotImplementedError

    def write(self, rows: list[dict], state: dict) -> str:
        raise NotImplementedError

    def get_success_url(self) -> str:
        raise NotImplementedError

    # ------------------------------------------------------------ flow ----
    @property
    def session_key(self) -> str:
        return f"{self.import_key}_import"

    def check_import_perm(self) -> None:
        if self.import_perm is not None and not self.can(self.import_perm):
            raise Http404("Not found.")

    def get_form(self, data=None, files=None) -> ImportForm:
        form = ImportForm(data, files)
        form.fields["file"].help_text = self.file_help
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context.update(
            preview_template=self.preview_template,
            columns_template=self.columns_template,
            confirm_note=self.confirm_note,
            import_url=self.request.path,
        )
        return context

    def get(self, request, *args, **kwargs):
        self.check_import_perm()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.check_import_perm()
        if "confirm" in request.POST:
            return self.confirm()
        return self.preview()

    def preview(self):
        request = self.request
        request.session.pop(self.session_key, None)  # a new upload replaces any earlier preview
        form = self.get_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        try:
            rows = read_rows(upload, required_headers=self.required_headers, max_rows=self.max_rows)
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        result = self.check(rows)
        context = {
            "preview": result,
            "filename": upload.name,
            "row_count": len(rows),
            "form": self.get_form(),
        }
        if result.errors:
            context.update(errors=result.errors, preview=None)
        else:
            nonce, digest = secrets.token_urlsafe(16), rows_digest(rows)
            request.session[self.session_key] = {
                "nonce": nonce,
                "digest": digest,
                "rows": rows,
                "state": result.state,
                "filename": upload.name,
            }
            context.update(token=preview_token(key=self.import_key, nonce=nonce, digest=digest))
        return self.render_to_response(
            self.get_context_data(**context, counts=result.counts), status=400 if result.errors else 200
        )

    def confirm(self):
        request = self.request
        stored = request.session.pop(self.session_key, None)  # single use, whatever happens next
        try:
            check_token(request.POST.get("token", ""), key=self.import_key, stored=stored)
        except PreviewRefused as exc:
            messages.error(request, str(exc))
            return redirect(request.path)
        try:
            message = self.write(stored["rows"], stored.get("state") or {})
        except ImportFailed as exc:
            return self.render_to_response(
                self.get_context_data(errors=exc.errors, filename=stored.get("filename")), status=400
            )
        messages.success(request, message)
        return redirect(self.get_success_url())
