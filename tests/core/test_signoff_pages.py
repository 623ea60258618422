"""One sign-off mechanism for every joint decision (core.joint): the same
``sign/`` and ``withdraw/`` URLs below the subject's page and its API resource,
one permission (``Perm.SIGN`` and a recent second factor), one panel.

Walks the registry: a new joint decision taken with sign-offs is covered once
it registers ``withdraw``, ``page_url`` and ``api_url`` and has a subject in
tests/core/joint_subjects.py."""

import pytest
from django.db.models import F
from django.urls import resolve

from core import joint
from core.actions import SignOffView
from core.api.signoff import SignOffViewSetMixin
from core.models import SignOff
from core.roles import ROLE_PERMISSIONS, Perm, Role

from .joint_subjects import SUBJECTS

DECISIONS = joint.signed_off()
ROLES = ["cio", "ciso", "board", "contributor", "admin", "outsider"]


def _ids(decision):
    return f"{decision.model}:{decision.purpose}"


def _subject(decision, org, people):
    return SUBJECTS[(decision.model, decision.purpose)](org, people)


def _active(subject, decision, user):
    return SignOff.objects.filter(
        purpose=decision.purpose, object_id=subject.pk, signer=user, voided_at__isnull=True
    ).exists()


def test_every_domain_decision_taken_with_signoffs_has_the_shared_urls():
    domain = [d for d in joint.registered() if d.uses_signoffs and not d.model.startswith("testapp.")]
    missing = [_ids(d) for d in domain if not (d.withdraw and d.page_url and d.api_url)]
    assert not missing, f"register withdraw=, page_url= and api_url= for {missing}"
    assert {(d.model, d.purpose) for d in domain} <= {(d.model, d.purpose) for d in DECISIONS}
    assert len(DECISIONS) >= 4


@pytest.mark.parametrize("decision", DECISIONS, ids=_ids)
def test_same_url_shape_same_view_same_permission(decision, org, people):
    subject = _subject(decision, org, people)
    page = decision.page_url(subject)
    sign_url, withdraw_url = joint.signoff_urls(subject, decision.purpose)
    assert (sign_url, withdraw_url) == (f"{page}sign/", f"{page}withdraw/")
    for url, operation in ((sign_url, "sign"), (withdraw_url, "withdraw")):
        match = resolve(url)
        view = match.func.view_class
        assert issubclass(view, SignOffView) and match.func.view_initkwargs == {"operation": operation}
        assert view.post_perm == Perm.SIGN and view.step_up_required and view.purpose == decision.purpose
        assert match.url_name.endswith(f"_{operation}")
    api = decision.api_url(subject)
    for operation in ("sign", "withdraw"):
        match = resolve(f"{api}{operation}/")
        viewset = match.func.cls
        assert issubclass(viewset, SignOffViewSetMixin) and viewset.signoff_purpose == decision.purpose
        assert viewset.action_perms[operation] == Perm.SIGN


@pytest.mark.parametrize("decision", DECISIONS, ids=_ids)
@pytest.mark.parametrize("role", ROLES)
def test_one_permission_rule_for_signing(decision, role, org, people, client_as):
    subject = _subject(decision, org, people)
    sign_url, _ = joint.signoff_urls(subject, decision.purpose)
    view = resolve(sign_url).func.view_class
    perms = set() if role == "outsider" else ROLE_PERMISSIONS[Role(role)]
    response = client_as(role).post(sign_url, {"decision": "approve"})
    if view.required_perm not in perms:
        assert response.status_code == 404
    elif Perm.SIGN not in perms:
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert _active(subject, decision, people[role])
    if Perm.SIGN not in perms:
        assert not SignOff.objects.filter(purpose=decision.purpose, object_id=subject.pk).exists()


@pytest.mark.parametrize("decision", DECISIONS, ids=_ids)
def test_the_one_panel_posts_to_sign_then_withdraw(decision, org, people, client_as):
    subject = _subject(decision, org, people)
    sign_url, withdraw_url = joint.signoff_urls(subject, decision.purpose)
    cio = client_as("cio")
    page = cio.get(decision.page_url(subject)).content.decode()
    assert 'class="card signoff-panel"' in page and f'action="{sign_url}"' in page
    response = cio.post(sign_url, {"decision": "approve", "comment": "Agreed."}, follow=True)
    assert "Your decision is recorded." in response.content.decode() or decision.is_complete(subject)
    assert _active(subject, decision, people["cio"])
    page = cio.get(decision.page_url(subject)).content.decode()
    assert f'action="{withdraw_url}"' in page
    response = cio.post(withdraw_url, follow=True)
    assert "Your sign-off is withdrawn." in response.content.decode()
    assert not _active(subject, decision, people["cio"])


@pytest.mark.parametrize("decision", DECISIONS, ids=_ids)
def test_the_one_api_action_signs_and_withdraws(decision, org, people, client_as):
    subject = _subject(decision, org, people)
    api = client_as("cio", api=True)
    base = decision.api_url(subject)
    response = api.post(f"{base}sign/", {"decision": "approve", "comment": "Agreed."}, format="json")
    assert response.status_code == 200, response.content
    assert _active(subject, decision, people["cio"])
    assert api.post(f"{base}withdraw/", format="json").status_code == 200
    assert not _active(subject, decision, people["cio"])
    refused = client_as("contributor", api=True).post(f"{base}sign/", {"decision": "approve"}, format="json")
    assert refused.status_code in (403, 404)
    response = api.post(f"{base}sign/", {"decision": "maybe"}, format="json")
    assert response.status_code == 400 and "decision" in response.json()["errors"]


@pytest.mark.parametrize("decision", DECISIONS, ids=_ids)
def test_a_signature_applies_only_to_the_version_the_signer_read(decision, org, people, client_as):
    """A page left open while the other executive changed the subject must not
    sign the change unseen: the panel carries the version read; page and API
    refuse a stale one as a conflict and record nothing."""
    subject = _subject(decision, org, people)
    sign_url, _ = joint.signoff_urls(subject, decision.purpose)
    cio = client_as("cio")
    page = cio.get(decision.page_url(subject)).content.decode()
    assert f'name="version" value="{subject.version}"' in page
    stale = subject.version
    # The other executive changes it meanwhile (any change takes the next version).
    type(subject).objects.filter(pk=subject.pk).update(version=F("version") + 1)
    subject.refresh_from_db()
    response = cio.post(sign_url, {"decision": "approve", "version": stale}, follow=True)
    said = " ".join(str(message) for message in response.context["messages"])
    assert "changed this record since you opened it" in said, said
    assert not _active(subject, decision, people["cio"])
    api = client_as("cio", api=True)
    base = decision.api_url(subject)
    refused = api.post(f"{base}sign/", {"decision": "approve", "version": stale}, format="json")
    assert refused.status_code == 409 and not _active(subject, decision, people["cio"])
    accepted = api.post(f"{base}sign/", {"decision": "approve", "version": subject.version}, format="json")
    assert accepted.status_code == 200 and _active(subject, decision, people["cio"])
