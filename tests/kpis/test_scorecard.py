"""The scorecard at scale: counts over every KPI from one query, rows a page at
a time, sparklines read for the page's KPIs only, the same query count for 3 KPIs
as for 30."""

from datetime import date
from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpis import selectors, services
from kpis.models import Measurement
from kpis.status import latest_expected_period, shift_period
from tests.conftest import OUTSIDER

from .factories import KPIFactory

TODAY = date(2026, 3, 20)  # monthly KPIs are expected to have February 2026 by then
FRESH = latest_expected_period(TODAY, "monthly")


def url(*, query=""):
    return reverse("kpis:scorecard", args=["acme"]) + query


def make_kpis(org, count, *, domain="security", value=D(97), periods=14, prefix="KPI", fresh=FRESH):
    """``count`` KPIs (target 95, warning 90, critical 80) whose values end at ``fresh`` with ``value``."""
    kpis = [KPIFactory(organization=org, domain=domain, name=f"{prefix} {i:03d}") for i in range(count)]
    Measurement.objects.bulk_create(
        Measurement(
            organization=org,
            kpi=kpi,
            period=shift_period(fresh, "monthly", -back),
            value=value if back == 0 else D(85 + back % 10),
        )
        for kpi in kpis
        for back in range(periods)
    )
    return kpis


def test_summary_counts_every_kpi_from_the_latest_values_in_one_query(
    org, other_org, django_assert_num_queries
):
    make_kpis(org, 2, domain="it", value=D(99), prefix="Up")  # green
    make_kpis(org, 1, domain="it", value=D(92), prefix="Watch")  # amber: missed, inside the warning line
    make_kpis(org, 3, domain="security", value=D(50), prefix="Down")  # red
    make_kpis(
        org, 1, domain="joint", value=D(99), prefix="Old", fresh=shift_period(FRESH, "monthly", -2)
    )  # stale
    KPIFactory(organization=org, domain="joint", name="Never measured")  # stale
    make_kpis(other_org, 4, domain="it", value=D(50), prefix="Foreign")
    with django_assert_num_queries(1):
        summary = selectors.scorecard_summary(None, org, today=TODAY)
    assert summary["it"] == {"green": 2, "amber": 1, "red": 0, "stale": 0, "total": 3}
    assert summary["security"] == {"green": 0, "amber": 0, "red": 3, "stale": 0, "total": 3}
    assert summary["joint"] == {"green": 0, "amber": 0, "red": 0, "stale": 2, "total": 2}
    assert summary["all"] == {"green": 2, "amber": 1, "red": 3, "stale": 2, "total": 8}


def test_page_splits_the_groups_in_order_and_counts_every_kpi(org, cio):
    make_kpis(org, 6, domain="joint", prefix="Joint")
    make_kpis(org, 12, domain="it", prefix="It")
    make_kpis(org, 12, domain="security", value=D(50), prefix="Sec")
    first = selectors.kpi_scorecard_page(cio, org, today=TODAY)
    assert [(g.domain, len(g.rows), g.continued) for g in first.groups] == [
        ("it", 12, False),
        ("security", 12, False),
        ("joint", 1, False),
    ]
    assert [row.kpi.name for row in first.groups[0].rows][:2] == ["It 000", "It 001"]
    assert first.counts == {"green": 18, "amber": 0, "red": 12, "stale": 0, "total": 30}
    assert first.groups[2].counts["total"] == 6  # the whole group, not the row on this page
    second = selectors.kpi_scorecard_page(cio, org, today=TODAY, page=2)
    assert [(g.domain, len(g.rows), g.continued) for g in second.groups] == [("joint", 5, True)]
    assert [row.kpi.name for row in second.groups[0].rows] == [f"Joint {i:03d}" for i in range(1, 6)]
    assert second.page_obj.start_index() == 26 and second.page_obj.end_index() == 30
    row = second.groups[0].rows[-1]
    assert len(row.sparkline) == 12 and row.sparkline[-1] == D(97) and row.display_status == "green"


def test_filters_apply_before_paginating(org, cio):
    make_kpis(org, 27, prefix="Fine")
    make_kpis(org, 3, value=D(50), prefix="Broken")
    red = selectors.kpi_scorecard_page(cio, org, today=TODAY, status="red")
    assert red.page_obj.paginator.count == 3 and red.counts["red"] == 3 and red.counts["total"] == 3
    assert [row.kpi.name for g in red.groups for row in g.rows] == ["Broken 000", "Broken 001", "Broken 002"]
    searched = selectors.kpi_scorecard_page(cio, org, today=TODAY, search="fine 02")
    assert searched.counts["total"] == 7 and searched.page_obj.paginator.num_pages == 1
    assert [g.domain for g in selectors.kpi_scorecard_page(cio, org, today=TODAY, domain="it").groups] == [
        "it"
    ]


def test_an_empty_group_is_said_once_where_it_would_start(org, cio):
    make_kpis(org, 30, prefix="Sec")
    first = selectors.kpi_scorecard_page(cio, org, today=TODAY)
    second = selectors.kpi_scorecard_page(cio, org, today=TODAY, page=2)
    assert [(g.domain, len(g.rows)) for g in first.groups] == [("it", 0), ("security", 25)]
    assert [(g.domain, len(g.rows)) for g in second.groups] == [("security", 5), ("joint", 0)]


def test_whole_scorecard_for_the_api_keeps_every_kpi(org, cio):
    make_kpis(org, 30, prefix="Sec")
    groups = selectors.kpi_scorecard(cio, org, today=TODAY)
    assert [len(g.rows) for g in groups] == [0, 30, 0] and groups[1].counts["green"] == 30


def page_queries(client, path):
    client.get(path)  # the first visit also remembers the organization in the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx), response.content.decode()


def test_page_costs_the_same_queries_for_3_and_30_kpis_and_shows_25(client_as, org):
    client = client_as("cio")
    fresh = latest_expected_period(date.today(), "monthly")
    make_kpis(org, 3, fresh=fresh, periods=3)
    small, _ = page_queries(client, url())
    make_kpis(org, 27, fresh=fresh, prefix="More")
    large, body = page_queries(client, url())
    assert small == large <= 10
    assert body.count('class="sparkline"') == 25 and "1–25 of 30" in body
    assert '<div class="tile-value text-green">30</div>' in body  # the counts cover every page


def test_page_links_keep_the_filters(client_as, org):
    fresh = latest_expected_period(date.today(), "monthly")
    make_kpis(org, 30, fresh=fresh)
    client = client_as("ciso")
    body = client.get(url(query="?domain=security&q=KPI&page=2")).content.decode()
    assert "26–30 of 30" in body and "(continued)" in body
    assert "?domain=security&amp;q=KPI&amp;page=1" in body
    tiles = client.get(url(query="?status=green&page=2")).content.decode()
    assert 'href="?status=red"' in tiles  # a status tile starts again at the first page


def test_the_cached_statuses_follow_a_new_value_at_once(client_as, org, cio):
    """The status of every KPI is cached per organization; recording a value
    must show on the very next view, not five minutes later."""
    fresh = latest_expected_period(date.today(), "monthly")
    kpi = make_kpis(org, 1, fresh=fresh, value=D(97))[0]
    client = client_as("cio")
    assert '<div class="tile-value text-green">1</div>' in client.get(url()).content.decode()
    services.measurement_record(actor=cio, kpi=kpi, period=fresh, value=D(50))
    body = client.get(url()).content.decode()
    assert '<div class="tile-value text-green">0</div>' in body
    assert '<div class="tile-value text-red">1</div>' in body


def test_someone_outside_the_organization_gets_no_kpis(org, people):
    make_kpis(org, 3)
    selectors.scorecard_summary(None, org, today=TODAY)  # the organization's statuses are now cached
    page = selectors.kpi_scorecard_page(people[OUTSIDER], org, today=TODAY)
    assert page.counts["total"] == 0 and not [row for group in page.groups for row in group.rows]


def test_rows_escape_what_people_typed(client_as, org):
    fresh = latest_expected_period(date.today(), "monthly")
    kpi = make_kpis(org, 1, fresh=fresh, prefix="<b onmouseover=\"x\">Uptime & 'SLA'</b>")[0]
    body = client_as("ciso").get(url()).content.decode()
    assert "<b onmouseover" not in body
    assert "&lt;b onmouseover=&quot;x&quot;&gt;Uptime &amp; &#x27;SLA&#x27;&lt;/b&gt; 000</a>" in body
    assert f'href="{reverse("kpis:detail", args=["acme", kpi.pk])}"' in body
