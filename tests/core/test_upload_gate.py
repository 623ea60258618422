"""The upload gate stops only what no form would take, and says so in the API's
error shape on /api/ (a piece of evidence may be larger than an import)."""

import json

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from core.middleware import UploadSizeLimitMiddleware

pytestmark = pytest.mark.unit
MB = 1024 * 1024


def _post(path, size):
    request = RequestFactory().post(path, data={"title": "Policy"})  # multipart by default
    request.META["CONTENT_LENGTH"] = str(size)
    return UploadSizeLimitMiddleware(lambda r: HttpResponse("reached the view"))(request)


@override_settings(IMPORT_MAX_BYTES=5 * MB, EVIDENCE_MAX_BYTES=10 * MB)
def test_evidence_larger_than_an_import_reaches_its_form():
    assert _post("/o/acme/evidence/new/", 7 * MB).content == b"reached the view"


@override_settings(IMPORT_MAX_BYTES=5 * MB, EVIDENCE_MAX_BYTES=10 * MB)
def test_what_nothing_accepts_is_refused_naming_the_file():
    page = _post("/o/acme/evidence/new/", 30 * MB)
    assert page.status_code == 400 and b"larger than 10 MB" in page.content
    api = _post("/api/v1/orgs/acme/evidence/", 30 * MB)
    body = json.loads(api.content)
    assert api.status_code == 400 and body["errors"]["file"] == [body["detail"]]
