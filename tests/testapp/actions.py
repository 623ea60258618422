"""Views over the test Document built on core.actions, for the base view's tests
(tests/core/test_actions.py), with their URLs (``urlpatterns``, appended to the
project's by the tests' ``urls`` marker)."""

from django import forms
from django.db import transaction
from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns
from core.actions import ActionView
from core.concurrency import lock_for_update
from core.errors import DomainError
from core.roles import Perm
from core.services import record_change

from .models import Document

DONE_URL = "/o/acme/welcome/"


@transaction.atomic
def document_rename(
    *, actor, document: Document, title: str, expected_version: int | None = None
) -> Document:
    document = lock_for_update(Document, pk=document.pk, expected_version=expected_version)
    if title == "forbidden":
        raise DomainError("That title is not allowed.", field="title")
    document.title = title
    record_change(document, actor=actor, reason="Renamed")
    return document


class RenameForm(forms.Form):
    title = forms.CharField(max_length=100)


class RenameView(ActionView):
    required_perm = Perm.BUDGET_VIEW_SUBMITTED  # the board sees it, and may not change it
    post_perm = Perm.RISK_EDIT
    form_class = RenameForm
    htmx_template = "testapp/document_title.html"
    htmx_trigger = "document-changed"

    def perform(self, form):
        document = Document.objects.get(organization=self.organization, pk=self.kwargs["pk"])
        return document_rename(
            actor=self.request.user,
            document=document,
            title=form.cleaned_data["title"],
            expected_version=self.posted_version(),
        )

    def get_success_message(self, document) -> str:
        return f"Renamed to “{document.title}”."

    def get_success_url(self, result=None) -> str:
        return DONE_URL


class RenameOnFormView(RenameView):
    """Shows an invalid form, or a refusal, on the form itself (with the refusal's status)."""

    refusal_on_form = True
    htmx_template = None

    def form_invalid(self, form, status: int = 400):
        errors = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in form.errors.items())
        return HttpResponse(errors, status=status, content_type="text/plain")


class SteppedUpRenameView(RenameView):
    step_up_required = True


test_patterns = [
    path("<int:pk>/rename/", RenameView.as_view(), name="rename"),
    path("<int:pk>/rename-on-form/", RenameOnFormView.as_view(), name="rename_on_form"),
    path("<int:pk>/rename-stepped-up/", SteppedUpRenameView.as_view(), name="rename_stepped_up"),
]

urlpatterns = [
    path("o/<org:org>/test-documents/", include((test_patterns, "testapp"))),
    *project_urlpatterns,
]
