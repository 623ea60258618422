"""The CISO attaches evidence to a CSF outcome from its page and sees it
listed; because that evidence has already expired, the outcome counts one step
lower (and shows why) until the CISO renews it. The board sees counts only,
and the pages fit a phone. One test: the catalogues stay loaded throughout.
(The profile helper's journey assesses outcomes; this one attaches evidence.)"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from risks.profile import services as profile_services
from tests.risks.evidence_factories import PDF_BYTES
from tests.risks.factories import profile_outcome

from ..conftest import E2E, PHONE
from ..journey_helpers import expect_message, no_horizontal_overflow, path, submit

pytestmark = E2E


def _assessed_outcome(org, people, code="PR.AA-01"):
    cio, ciso = people["cio"], people["ciso"]
    outcome = profile_outcome(org, code)
    outcome = profile_services.outcome_update(
        actor=cio, outcome=outcome, expected_version=outcome.version, owner_lens="joint", target_level=3
    )
    for actor in (cio, ciso):
        outcome.refresh_from_db()
        outcome = profile_services.outcome_assess(
            actor=actor, outcome=outcome, level=3, expected_version=outcome.version
        )
    return outcome


def test_ciso_attaches_expired_evidence_and_the_level_counts_lower_until_renewed(signed_in_page, org, people):
    outcome = _assessed_outcome(org, people)
    today = timezone.localdate()
    ciso = signed_in_page("ciso")
    ciso.goto(path("profile:outcome", org, pk=outcome.pk))
    assert "No evidence yet" in ciso.locator("main").inner_text()
    with ciso.expect_navigation():
        ciso.get_by_role("link", name="Add evidence").click()

    ciso.locator("input[name=kind][value=file]").check()
    ciso.get_by_label("Title").fill("Access review, last year")
    ciso.locator("input[name=file]").set_input_files(
        {"name": "access-review.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    ciso.get_by_label("Valid until").fill((today - timedelta(days=3)).isoformat())
    selected = ciso.locator("select[name=csf_subcategories] option:checked").all_inner_texts()
    assert any(text.startswith("PR.AA-01") for text in selected), selected  # prefilled from the outcome
    submit(ciso, ciso.locator("main form button[type=submit]"))
    expect_message(ciso, "Evidence added")

    # Back on the outcome: the evidence is listed, expired, and the level counts one lower.
    assert ciso.url.endswith(path("profile:outcome", org, pk=outcome.pk))
    listed = ciso.locator("[data-evidence-list]").inner_text()
    assert "Access review, last year" in listed and "Expired" in listed
    note = ciso.locator("[data-level-note]").inner_text()
    assert "one step lower" in note
    assert ciso.locator("[data-counted-level]").inner_text().strip() == "Largely implemented"

    # The evidence page lists it as a to-do; renewing it restores the level.
    ciso.goto(path("evidence:list", org))
    assert "Access review, last year" in ciso.locator("#todo-title").locator("..").locator("..").inner_text()
    ciso.get_by_role("link", name="Access review, last year").first.click()
    ciso.wait_for_load_state()
    with ciso.expect_navigation():
        ciso.get_by_role("link", name="Edit").click()
    ciso.get_by_label("Valid until").fill((today + timedelta(days=365)).isoformat())
    submit(ciso, "Save")
    expect_message(ciso, "Evidence saved")
    ciso.goto(path("profile:outcome", org, pk=outcome.pk))
    assert ciso.locator("[data-level-note]").count() == 0
    assert "Access review, last year" in ciso.locator("[data-evidence-list]").inner_text()

    # The file downloads through the checked view.
    ciso.goto(path("evidence:list", org))
    ciso.get_by_role("link", name="Access review, last year").first.click()
    ciso.wait_for_load_state()
    with ciso.expect_download() as download:
        ciso.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename == "access-review.pdf"

    # The board sees how much evidence there is, never the pieces; the pages fit a phone.
    board = signed_in_page("board", viewport=PHONE)
    board.goto(path("evidence:list", org))
    text = board.locator("main").inner_text()
    assert "Pieces of evidence" in text and "Access review, last year" not in text
    no_horizontal_overflow(board, PHONE["width"])
    phone = signed_in_page("ciso", viewport=PHONE)
    for name in ("evidence:list", "soa:statement"):
        phone.goto(path(name, org))
        no_horizontal_overflow(phone, PHONE["width"])
