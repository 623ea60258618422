"""Intake pages: role and organization contract, a contributor sees only their
own requests, the queue is sorted by SLA, query counts stay flat."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from governance.models import IntakeStatus
from tests.contract import expect_page
from tests.factories import member

from .factories_intake import make_request

FILERS = {"cio", "ciso", "contributor"}
REVIEWERS = {"cio", "ciso"}


def url(name, org, *args):
    return reverse(f"governance:{name}", args=[org.slug, *args])


@pytest.fixture
def own_request(org, people):
    return make_request(org, people["contributor"], title="My own project")


def test_page_contract(client_as, org, own_request):
    expect_page(client_as, url("intake_list", org), allowed=FILERS)
    expect_page(client_as, url("intake_create", org), allowed=FILERS)
    expect_page(client_as, url("intake_detail", org, own_request.pk), allowed=FILERS)
    expect_page(client_as, url("intake_edit", org, own_request.pk), allowed=FILERS)
    expect_page(client_as, url("intake_settings", org), allowed=REVIEWERS)


def test_contributor_sees_only_their_own_requests(client_as, org, people, own_request):
    colleague = member(org, Role.CONTRIBUTOR, email="colleague@acme.test")
    theirs = make_request(org, colleague, title="Colleague's secret project")
    client = client_as("contributor")
    html = client.get(url("intake_list", org)).content.decode()
    assert "My own project" in html and "Colleague&#x27;s secret project" not in html
    assert "My requests" in html
    assert client.get(url("intake_detail", org, theirs.pk)).status_code == 404
    assert client.get(url("intake_edit", org, theirs.pk)).status_code == 404
    assert client.post(url("intake_comment", org, theirs.pk), {"body": "hi"}).status_code == 404


def test_reviewers_see_every_request_of_their_organization(client_as, org, other_org, people, own_request):
    foreign = make_request(other_org, people["outsider"], title="Globex project")
    html = client_as("ciso").get(url("intake_list", org)).content.decode()
    assert "Intake queue" in html and "My own project" in html and "Globex project" not in html
    assert client_as("ciso").get(url("intake_detail", org, foreign.pk)).status_code == 404


def test_contributor_cannot_edit_a_decided_request(client_as, org, people):
    decided = make_request(
        org, people["contributor"], status=IntakeStatus.REJECTED, decided_at=timezone.now()
    )
    assert client_as("contributor").get(url("intake_edit", org, decided.pk)).status_code == 403


def test_queue_is_sorted_by_sla_urgency(client_as, org, people):
    now = timezone.now()
    make_request(org, people["contributor"], title="Relaxed", sla_days=10, submitted_at=now)
    make_request(
        org, people["contributor"], title="Overdue", sla_days=2, submitted_at=now - timedelta(days=20)
    )
    make_request(
        org,
        people["contributor"],
        title="Closed",
        status=IntakeStatus.APPROVED,
        decided_at=now,
        submitted_at=now - timedelta(days=40),
    )
    response = client_as("cio").get(url("intake_list", org))
    titles = [row.request.title for row in response.context["rows"]]
    assert titles == ["Overdue", "Relaxed"]  # open ones only by default, most urgent first
    response = client_as("cio").get(url("intake_list", org), {"status": "all"})
    assert [row.request.title for row in response.context["rows"]][-1] == "Closed"
    response = client_as("cio").get(url("intake_list", org), {"status": "open", "sla": "breached"})
    assert [row.request.title for row in response.context["rows"]] == ["Overdue"]


def test_queue_filters_by_tier_and_search(client_as, org, people):
    make_request(org, people["contributor"], title="Alpha", tier="high")
    make_request(org, people["contributor"], title="Beta", tier="low")
    rows = client_as("cio").get(url("intake_list", org), {"tier": "high"}).context["rows"]
    assert [r.request.title for r in rows] == ["Alpha"]
    rows = client_as("cio").get(url("intake_list", org), {"q": "bet"}).context["rows"]
    assert [r.request.title for r in rows] == ["Beta"]


def test_empty_states(client_as, org):
    assert (
        "You have not filed a request yet"
        in client_as("contributor").get(url("intake_list", org)).content.decode()
    )
    assert "The queue is empty" in client_as("cio").get(url("intake_list", org)).content.decode()


def test_request_page_shows_clock_tier_and_signoff(client_as, org, people, own_request):
    html = client_as("cio").get(url("intake_detail", org, own_request.pk)).content.decode()
    assert "Time to decision" in html and "Medium tier" in html and "Joint decision" in html
    assert "Start review" in html and "Propose a decision" in html
    html = client_as("contributor").get(url("intake_detail", org, own_request.pk)).content.decode()
    assert "Start review" not in html and "Propose a decision" not in html and "Post comment" in html


def _requests(org, people, n):
    now = timezone.now()
    for i in range(n):
        paused = i % 3 == 0
        make_request(
            org,
            people["contributor"],
            title=f"Request {i}",
            sla_days=5,
            status=IntakeStatus.NEEDS_INFO if paused else IntakeStatus.IN_REVIEW,
            submitted_at=now - timedelta(days=i % 12),
            pauses=((now - timedelta(hours=3), None),) if paused else (),
        )


@pytest.mark.parametrize("n", [5, 60])
@pytest.mark.parametrize("role", ["cio", "contributor"])
def test_queue_query_count_is_flat(client_as, org, people, n, role, django_assert_max_num_queries):
    _requests(org, people, n)
    client = client_as(role)
    client.get(url("intake_list", org))  # settings row created on first use
    with django_assert_max_num_queries(11):
        response = client.get(url("intake_list", org))
    assert len(response.context["rows"]) == min(n, 25)


def test_request_page_query_count(client_as, org, people, own_request, django_assert_max_num_queries):
    for i in range(10):
        own_request.comments.create(organization=org, author=people["cio"], body=f"Comment {i}")
        own_request.conditions.create(organization=org, text=f"Condition {i}", created_by=people["cio"])
    client = client_as("cio")
    client.get(url("intake_detail", org, own_request.pk))
    with django_assert_max_num_queries(30):
        assert client.get(url("intake_detail", org, own_request.pk)).status_code == 200


def test_queue_rows_show_each_clock_and_escape_what_people_typed(client_as, org, people):
    now = timezone.now()
    running = make_request(
        org,
        people["contributor"],
        title="<img src=x onerror=\"alert(1)\"> & 'CRM'",
        sla_days=10,
        submitted_at=now,
    )
    make_request(
        org,
        people["contributor"],
        title="Waiting on vendor",
        submitted_at=now - timedelta(days=3),
        status=IntakeStatus.NEEDS_INFO,
        pauses=((now - timedelta(days=1), None),),
    )
    make_request(
        org,
        people["contributor"],
        title="Approved one",
        status=IntakeStatus.APPROVED,
        decided_at=now,
        submitted_at=now - timedelta(days=2),
    )
    html = client_as("cio").get(url("intake_list", org), {"status": "all"}).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#x27;CRM&#x27;</a>" in html
    assert people["contributor"].display_name in html
    assert f'<tr data-href="{url("intake_detail", org, running.pk)}">' in html
    assert "On track · 0.0 of 10 d" in html or "On track · 0 of 10 d" in html
    assert "Paused ·" in html and "Decided in" in html
    mine = client_as("contributor").get(url("intake_list", org), {"status": "all"}).content.decode()
    assert (
        f"{people['contributor'].display_name} · sponsor" not in mine
    )  # filers are not shown their own name


def test_admin_can_correct_the_wording_but_not_the_workflow_or_the_clock(
    admin_client, org, people, own_request
):
    page = admin_client.get(f"/admin/governance/intakerequest/{own_request.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert {"title", "description", "sponsor"} <= set(form.fields)
    assert not {
        "status",
        "proposed_decision",
        "data_classification",
        "sla_due_at",
        "sla_elapsed_days",
        "organization",
    } & set(form.fields)


def test_messages_say_the_e_mail_is_queued_not_sent(
    client_as, org, people, own_request, django_capture_on_commit_callbacks
):
    from governance.intake import services

    def message_after(role, name, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_as(role).post(url(name, org, own_request.pk), data or {}, follow=True)
        return [str(m) for m in response.context["messages"]]

    assert message_after("cio", "intake_start_review") == [
        "Review started. We'll e-mail the requester shortly."
    ]
    own_request.refresh_from_db()
    services.intake_propose_decision(
        actor=people["cio"], request=own_request, decision="approved", rationale="Fits"
    )
    services.intake_sign(actor=people["cio"], request=own_request)
    assert message_after("ciso", "intake_sign", {"decision": "approve"}) == [
        "Decision taken: Approved. We'll e-mail the requester shortly."
    ]
