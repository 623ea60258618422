"""Concurrency answers cleanly (PostgreSQL, real threads and connections, no
wrapping transaction): two simultaneous sign-offs in the same capacity give one
success and one clear refusal, never a 500; a signature racing a role change
never leaves a sign-off in a capacity its signer no longer holds."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core import joint, services
from core.errors import DomainError
from core.models import Membership, SignOff
from core.roles import Role

from .joint_subjects import SUBJECTS

pytestmark = pytest.mark.django_db(transaction=True)


def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks and concurrent connections (PostgreSQL)")


def _race(*jobs):
    """Run the jobs at the same moment, each on its own connection; return
    (results, unexpected errors)."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except DomainError as exc:
            results[index] = exc
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.parametrize(
    "decision",
    [d for d in joint.registered() if d.uses_signoffs and not d.model.startswith("testapp.")],
    ids=lambda d: d.purpose,
)
def test_two_simultaneous_signoffs_in_one_capacity_give_one_success_and_one_refusal(decision, org, people):
    _needs_postgres()
    subject = SUBJECTS[(decision.model, decision.purpose)](org, people)
    cio = people[Role.CIO]

    def sign():
        fresh = type(subject).objects.get(pk=subject.pk)
        return decision.sign(actor=cio, subject=fresh, decision="approve", comment="Agreed.")

    results, errors = _race(sign, sign)
    assert errors == []
    refusals = [r for r in results if isinstance(r, DomainError)]
    assert len(refusals) == 1 and refusals[0].status_code in (400, 409)
    assert SignOff.objects.filter(purpose=decision.purpose, voided_at__isnull=True).count() == 1


def test_simultaneous_api_signatures_answer_200_and_400_never_500(org, people):
    _needs_postgres()
    proposal = SUBJECTS[("budgets.proposal", "submission")](org, people)
    url = f"/api/v1/orgs/acme/budget/proposals/{proposal.pk}/sign/"

    def post():
        client = APIClient()
        client.force_authenticate(people[Role.CIO])
        return client.post(url, {"decision": "approve"}, format="json").status_code

    results, errors = _race(post, post)
    assert errors == []
    assert sorted(results)[0] in (200, 201) and sorted(results)[1] in (400, 409)


def test_a_signature_racing_a_role_change_never_outlives_the_role(org, people):
    """The CIO signs while the admin hands the CIO role over. Whichever wins,
    no sign-off stays in force in a capacity its signer no longer holds."""
    _needs_postgres()
    document = SUBJECTS[("testapp.document", "approval")](org, people)
    cio, admin = people[Role.CIO], people[Role.ADMIN]
    successor = Membership.objects.get(organization=org, user=people[Role.BOARD])

    def sign():
        return services.signoff_sign(
            actor=cio, subject=type(document).objects.get(pk=document.pk), purpose="approval"
        )

    def hand_over():
        return services.membership_hand_over(
            actor=admin, organization=org, role=Role.CIO, successor=successor, outgoing_role=Role.CONTRIBUTOR
        )

    results, errors = _race(sign, hand_over)
    assert errors == []
    assert not isinstance(results[1], DomainError)  # the hand over always goes through
    assert Membership.objects.get(organization=org, user=cio).role == Role.CONTRIBUTOR
    assert not SignOff.objects.filter(signer=cio, voided_at__isnull=True).exists()
    if not isinstance(results[0], DomainError):  # signed first: voided by the hand over, saying why
        assert "no longer signs as CIO" in SignOff.objects.get(signer=cio).void_reason
