"""Invitations under concurrency (real threads and connections; PostgreSQL, as
in CI): the services lock their rows, outside any wrapping transaction."""

import threading

import pytest
from django.db import connection

from core import invitations, services
from core.errors import DomainError
from core.models import Invitation, Membership
from core.roles import Role


def _race(workers, work):
    barrier, errors, done = threading.Barrier(workers), [], []

    def run(index):
        try:
            barrier.wait(timeout=10)
            done.append(work(index))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, errors


def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with row locks and concurrent connections (PostgreSQL)")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_invitations_of_one_address_give_one_invitation(org, people):
    _needs_postgres()
    done, errors = _race(
        4,
        lambda i: services.membership_invite(
            actor=people["admin"], organization=org, email="same@elsewhere.test", role=Role.BOARD
        ),
    )
    assert len(done) == 1 and len(errors) == 3
    assert all(isinstance(e, DomainError) and e.field == "email" for e in errors)
    assert Invitation.objects.filter(email="same@elsewhere.test").count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_answers_give_one_membership(org, people):
    _needs_postgres()
    outsider = people["outsider"]
    invitation = services.membership_invite(
        actor=people["admin"], organization=org, email=outsider.email, role=Role.BOARD
    )

    def answer(index):
        if index % 2:
            return invitations.invitation_decline(user=outsider, invitation=invitation)
        return invitations.invitation_accept(user=outsider, invitation=invitation)

    done, errors = _race(4, answer)
    assert len(done) == 1 and all(isinstance(e, DomainError) for e in errors) and len(errors) == 3
    invitation.refresh_from_db()
    assert bool(invitation.accepted_at) != bool(invitation.declined_at)
    assert Membership.objects.filter(user=outsider, organization=org).count() == (
        1 if invitation.accepted_at else 0
    )
