"""Stored SLA moments: every write path keeps them right, and the lists, the
figures and the breach alerts that read them in the database agree with the
clocks computed the long way (business_days over the pauses)."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.alignment.selectors.dashboard import intake_section
from governance.intake import rules, services
from governance.intake.selectors import intake_overview, intake_request_list, queue_rows, request_clock
from governance.models import IntakeRequest, IntakeStatus

from .factories_intake import filing_values, make_request

SECTION_KEYS = [
    "open",
    "on_track",
    "at_risk",
    "breached",
    "queue",
    "decided",
    "decided_on_time",
    "median_days_to_decision",
    "recent_decisions",
    "links",
]
QUEUE_KEYS = {
    "id",
    "reference",
    "title",
    "tier",
    "status",
    "sla_days",
    "elapsed_days",
    "left_days",
    "sla_state",
    "sla_label",
    "used",
    "url",
}


def back(days: float, now=None):
    """``days`` business days before ``now`` (local time)."""
    return rules.add_business_days(timezone.localtime(now or timezone.now()), -days)


def truth(request: IntakeRequest, now) -> float:
    """The clock the long way: business days over the request's pauses."""
    local = timezone.localtime
    pauses = [(local(p.started_at), local(p.ended_at) if p.ended_at else None) for p in request.pauses.all()]
    end = local(request.decided_at) if request.decided_at else local(now)
    return rules.business_days(local(request.submitted_at), end, pauses)


def state_of(request: IntakeRequest, now, percent=75) -> str:
    return rules.sla_status(truth(request, now), request.sla_days, at_risk_percent=percent)


def assert_moments_current(request: IntakeRequest) -> None:
    """What the request stores is what the services would compute now."""
    request.refresh_from_db()
    pauses = list(request.pauses.values_list("started_at", "ended_at"))
    expected = services.request_sla_moments(request, at_risk_percent=75, pauses=pauses, now=timezone.now())
    for stored, wanted in (
        (request.sla_due_at, expected.due_at),
        (request.sla_at_risk_at, expected.at_risk_at),
    ):
        assert (stored is None) == (wanted is None)
        if stored is not None:
            assert abs(stored - wanted) < timedelta(milliseconds=1)
    if expected.elapsed_days is None:
        assert request.sla_elapsed_days is None
    else:
        assert request.sla_elapsed_days == pytest.approx(expected.elapsed_days, abs=1e-6)


@pytest.fixture
def queue(org, people):
    """Open requests in every SLA state, running, resumed and paused, plus decisions."""
    now = timezone.now()
    who = people["contributor"]
    spec = [  # title, sla, submitted (business days ago), status, pauses (business days ago)
        ("Fresh", 10, 0.2, IntakeStatus.SUBMITTED, ()),
        ("Warm", 5, 4.2, IntakeStatus.IN_REVIEW, ()),
        ("Late", 2, 10, IntakeStatus.IN_REVIEW, ()),
        ("Very late", 10, 25, IntakeStatus.IN_REVIEW, ()),
        ("Resumed late", 5, 12, IntakeStatus.IN_REVIEW, ((3, 1),)),
        ("Resumed in time", 5, 6, IntakeStatus.IN_REVIEW, ((4, 1.5),)),
        ("Paused early", 5, 2, IntakeStatus.NEEDS_INFO, ((1, None),)),
        ("Paused risky", 5, 5, IntakeStatus.NEEDS_INFO, ((1, None),)),
        ("Paused late", 5, 9, IntakeStatus.NEEDS_INFO, ((2, None),)),
    ]
    for title, sla, ago, status, pauses in spec:
        make_request(
            org,
            who,
            title=title,
            sla_days=sla,
            status=status,
            submitted_at=back(ago, now),
            pauses=tuple((back(s, now), back(e, now) if e is not None else None) for s, e in pauses),
        )
    for title, ago, took in (("Quick yes", 20, 1), ("Slow yes", 30, 12), ("Old no", 400, 2)):
        submitted = back(ago, now)
        make_request(
            org,
            who,
            title=title,
            status=IntakeStatus.APPROVED,
            sla_days=5,
            submitted_at=submitted,
            decided_at=rules.add_business_days(submitted, took),
        )
    return {r.title: r for r in IntakeRequest.objects.filter(organization=org).prefetch_related("pauses")}


def test_filters_and_counts_in_the_database_match_the_clocks(org, people, queue):
    now = timezone.now()
    opened = [r for r in queue.values() if r.is_open]
    states = {r.title: state_of(r, now) for r in opened}
    assert set(states.values()) == {rules.ON_TRACK, rules.AT_RISK, rules.BREACHED}
    for state in (rules.ON_TRACK, rules.AT_RISK, rules.BREACHED):
        found = intake_request_list(user=people["cio"], organization=org, sla=state, now=now)
        assert {r.title for r in found} == {t for t, s in states.items() if s == state}, state
    overview = intake_overview(organization=org, now=now)
    assert overview["open"] == len(opened)
    for state in (rules.ON_TRACK, rules.AT_RISK, rules.BREACHED):
        assert overview[state] == sum(1 for s in states.values() if s == state)
    assert overview["open_by_status"] == {"submitted": 1, "in_review": 5, "needs_info": 3}
    assert overview["decided"] == 2 and overview["decided_on_time"] == 1  # "Old no" is outside the window
    assert overview["median_days_to_decision"] == pytest.approx(6.5)


def test_clocks_from_stored_moments_match_the_long_way(org, queue):
    now = timezone.now()
    settings = services.intake_settings_get(organization=org)
    for request in queue.values():
        clock = request_clock(request, settings, now=now)
        assert clock.elapsed_days == round(truth(request, now), 1), request.title
        assert clock.sla_status == state_of(request, now), request.title


def test_urgency_sort_running_by_time_left_then_paused_by_share_then_decided(org, people, queue):
    now = timezone.now()
    rows = list(intake_request_list(user=people["cio"], organization=org, now=now))
    running = sorted(
        (r for r in queue.values() if r.is_open and r.status != IntakeStatus.NEEDS_INFO),
        key=lambda r: r.sla_days - truth(r, now),
    )
    paused = sorted(
        (r for r in queue.values() if r.status == IntakeStatus.NEEDS_INFO),
        key=lambda r: -truth(r, now) / r.sla_days,
    )
    decided = sorted((r for r in queue.values() if r.is_decided), key=lambda r: r.submitted_at, reverse=True)
    expected = [r.title for r in running + paused + decided]
    assert [r.title for r in rows] == expected
    backwards = intake_request_list(user=people["cio"], organization=org, now=now, sort="-sla")
    assert [r.title for r in backwards] == expected[::-1]


def test_dashboard_section_keeps_its_shape_and_interleaves_by_time_left(org, people, queue):
    now = timezone.now()
    section = intake_section(organization=org, now=now)
    assert list(section) == SECTION_KEYS
    assert all(set(row) == QUEUE_KEYS for row in section["queue"])
    opened = sorted(
        (r for r in queue.values() if r.is_open),
        key=lambda r: (round(r.sla_days - truth(r, now), 1), r.submitted_at),
    )
    assert [q["title"] for q in section["queue"]] == [r.title for r in opened[:8]]
    for row in section["queue"]:
        request = queue[row["title"]]
        assert row["elapsed_days"] == round(truth(request, now), 1)
        assert row["sla_state"] == state_of(request, now)
    assert [d["title"] for d in section["recent_decisions"]] == ["Slow yes", "Quick yes"]
    assert section["links"]["breached"].endswith("?sla=breached")


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def _fill(org, people, n):
    now = timezone.now()
    for i in range(n):
        paused = i % 3 == 0
        make_request(
            org,
            people["contributor"],
            title=f"Open {i}",
            sla_days=2 + i % 5,
            status=IntakeStatus.NEEDS_INFO if paused else IntakeStatus.IN_REVIEW,
            submitted_at=back(3 + i % 12, now),
            pauses=((back(0.5, now), None),) if paused else (),
        )
        make_request(
            org,
            people["contributor"],
            title=f"Decided {i}",
            status=IntakeStatus.REJECTED,
            submitted_at=back(10 + i, now),
            decided_at=back(i, now),
        )


@pytest.mark.parametrize("query", ["", "?sla=breached", "?status=all&sort=-sla", "?sort=title&page=2"])
def test_queue_page_costs_the_same_with_3_or_30_requests(client_as, org, other_org, people, query):
    """The page is filtered, sorted and paginated in the database: clocks for one page only."""
    url = reverse("governance:intake_list", args=[org.slug]) + query
    client = client_as("cio")
    _fill(org, people, 3)
    client.get(url)
    small = _page_queries(client, url)
    _fill(org, people, 27)
    large = _page_queries(client, url)
    assert small == large <= 11


def test_dashboard_section_costs_the_same_with_3_or_30_requests(org, people):
    services.intake_settings_get(organization=org)
    _fill(org, people, 3)
    with CaptureQueriesContext(connection) as small:
        intake_section(organization=org, user=people["cio"])
    _fill(org, people, 27)
    with CaptureQueriesContext(connection) as large:
        intake_section(organization=org, user=people["cio"])
    assert len(small) == len(large) == 4


def test_every_write_path_keeps_the_moments(org, people, django_capture_on_commit_callbacks):
    cio, ciso, requester = people["cio"], people["ciso"], people["contributor"]
    request = services.intake_request_create(
        actor=requester, organization=org, submitted_at=back(3), **filing_values()
    )
    assert request.sla_due_at is not None and request.sla_elapsed_days is None
    assert_moments_current(request)
    services.intake_start_review(actor=cio, request=request)
    services.intake_request_information(actor=ciso, request=request, question="Which vendor?")
    request.refresh_from_db()
    assert request.sla_due_at is None and request.sla_elapsed_days == pytest.approx(3, abs=0.01)
    assert_moments_current(request)
    services.intake_comment_add(actor=requester, request=request, body="Acme Cloud.")
    assert_moments_current(request)
    services.intake_request_update(
        actor=requester,
        request=request,
        expected_version=None,
        **filing_values(data_classification="restricted"),
    )
    request.refresh_from_db()
    assert request.sla_days == 10
    assert_moments_current(request)
    services.intake_propose_decision(actor=cio, request=request, decision="approved", rationale="Fine.")
    services.intake_sign(actor=cio, request=request)
    services.intake_sign(actor=ciso, request=request)
    request.refresh_from_db()
    assert request.is_decided and request.sla_due_at is None
    assert request.sla_elapsed_days == pytest.approx(truth(request, timezone.now()))


def test_changing_the_threshold_moves_at_risk_moments_in_a_few_queries(org, people):
    settings = services.intake_settings_get(organization=org)
    _fill(org, people, 3)
    request = IntakeRequest.objects.filter(organization=org, status=IntakeStatus.IN_REVIEW).first()
    before = request.sla_at_risk_at
    with CaptureQueriesContext(connection) as ctx:
        services.intake_sla_refresh(organization=org)
    assert len(ctx) == 4  # settings, requests, pauses, one bulk update
    services.intake_settings_update(
        actor=people["cio"], organization=org, expected_version=settings.version, at_risk_percent=50
    )
    request.refresh_from_db()
    assert request.sla_at_risk_at < before
    now = timezone.now()
    for row in IntakeRequest.objects.filter(organization=org).prefetch_related("pauses"):
        if row.is_open:
            assert row in intake_request_list(
                user=people["cio"], organization=org, now=now, sla=state_of(row, now, 50)
            )


def test_breach_alert_reads_the_moments(org, people):
    now = timezone.now()
    late = make_request(org, people["contributor"], title="Late", sla_days=2, submitted_at=back(5, now))
    make_request(
        org,
        people["contributor"],
        title="Paused after the breach",
        sla_days=2,
        submitted_at=back(5, now),
        status=IntakeStatus.NEEDS_INFO,
        pauses=((back(1, now), None),),
    )
    make_request(
        org,
        people["contributor"],
        title="Paused in time",
        sla_days=2,
        submitted_at=back(5, now),
        status=IntakeStatus.NEEDS_INFO,
        pauses=((back(4, now), None),),
    )
    make_request(org, people["contributor"], title="In time", sla_days=5, submitted_at=back(1, now))
    assert services.intake_flag_breaches() == 2
    late.refresh_from_db()
    assert late.breach_notified_at is not None


def test_queue_rows_compute_clocks_for_the_given_page(org, people, queue):
    settings = services.intake_settings_get(organization=org)
    page = intake_request_list(user=people["cio"], organization=org)[:3]
    with CaptureQueriesContext(connection) as ctx:
        rows = queue_rows(page, settings=settings)
    assert len(ctx) == 1 and len(rows) == 3  # the page itself, no pauses


def test_references_follow_the_highest_number_in_one_query(org, people):
    make_request(org, people["contributor"], reference="IR-999")
    make_request(org, people["contributor"], reference="LEGACY-7")
    with CaptureQueriesContext(connection) as ctx:
        assert services._next_reference(org) == "IR-1000"
    assert len(ctx) == 1
    first = services.intake_request_create(actor=people["contributor"], organization=org, **filing_values())
    second = services.intake_request_create(actor=people["contributor"], organization=org, **filing_values())
    assert (first.reference, second.reference) == ("IR-1000", "IR-1001")


def test_data_migration_fills_existing_requests(org, people, queue):
    expected = {r.pk: (r.sla_due_at, r.sla_at_risk_at, r.sla_elapsed_days) for r in queue.values()}
    IntakeRequest.objects.update(sla_due_at=None, sla_at_risk_at=None, sla_elapsed_days=None)
    import_module("governance.migrations.0003_intake_sla_moments").fill_sla_moments(apps, None)
    for request in IntakeRequest.objects.all():
        due, at_risk, elapsed = expected[request.pk]
        assert (request.sla_due_at is None) == (due is None) and (request.sla_elapsed_days is None) == (
            elapsed is None
        )
        if due is not None:
            assert abs(request.sla_due_at - due) < timedelta(milliseconds=1)
            assert abs(request.sla_at_risk_at - at_risk) < timedelta(milliseconds=1)
        else:
            assert request.sla_elapsed_days == pytest.approx(elapsed, abs=1e-6)


def test_refreshing_the_stored_moments_invalidates_cached_figures(org, people):
    from core.cache import org_version

    make_request(org, people["contributor"])
    before = org_version(org.pk)
    services.intake_sla_refresh(organization=org)
    assert org_version(org.pk) != before
