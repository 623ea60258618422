"""The register's paginator: ids first, then the page's rows, in exactly the
order plain OFFSET pagination gives; the total and the summary tiles cached
until the organization's data changes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict

from risks import selectors
from risks.filters import SORTS
from risks.models import Risk, RiskStatus
from risks.pagination import RegisterPaginator

from .factories import assess, make_risk

pytestmark = pytest.mark.django_db
STATUSES = [RiskStatus.IDENTIFIED, RiskStatus.ASSESSED, RiskStatus.IN_TREATMENT, RiskStatus.CLOSED]


def _spread(org, people, n: int):
    """``n`` risks with many ties and some empty values, set directly on the rows
    (the paginator only reads them)."""
    for i in range(n):
        risk = make_risk(org, people["cio"], title=f"Risk {i % 7}")
        score = None if i % 9 == 0 else 1 + (i * 7) % 25
        Risk.objects.filter(pk=risk.pk).update(
            inherent_score=score,
            residual_score=None if score is None else 1 + i % 4,
            cio_score=score,
            ciso_score=None if i % 5 == 0 else 1 + (i * 3) % 25,
            is_agreed=i % 11 == 0,
            status=STATUSES[i % 4],
            due_date=None if i % 3 else date(2027, 1, 1) + timedelta(days=i % 4),
            expected_annual_loss=None if i % 2 else Decimal(1000 * (i % 6)),
        )


@pytest.fixture
def many(org, people):
    _spread(org, people, 25)


def _register(org, user, query: str = ""):
    return selectors.risk_register(user, org, QueryDict(query))


@pytest.mark.parametrize("sort", [*SORTS, *(f"-{key}" for key in SORTS)])
def test_every_page_matches_offset_pagination(org, people, many, sort):
    queryset = _register(org, people["cio"], f"sort={sort}")
    expected = list(queryset.values_list("pk", flat=True))
    paginator = RegisterPaginator(queryset, 10, organization=org)
    pages = [[risk.pk for risk in paginator.page(n).object_list] for n in paginator.page_range]
    assert [pk for page in pages for pk in page] == expected
    assert [len(page) for page in pages] == [10, 10, 5]


def test_page_rows_carry_annotations_and_prefetches(org, people, many, django_assert_num_queries):
    queryset = _register(org, people["cio"], "status=open&sort=-score")
    paginator = RegisterPaginator(queryset, 10, organization=org)
    paginator.count
    with django_assert_num_queries(3):  # ids, rows (with owners), CSF categories
        rows = paginator.page(2).object_list
        for risk in rows:
            assert risk.owner.email and hasattr(risk, "level_rank") and hasattr(risk, "divergence_levels")
            list(risk.csf_categories.all())
    assert all(risk.status not in (RiskStatus.ACCEPTED, RiskStatus.CLOSED) for risk in rows)


def test_the_total_is_cached_until_the_organizations_data_changes(
    org, people, many, django_assert_num_queries
):
    def total(query=""):
        return RegisterPaginator(_register(org, people["cio"], query), 25, organization=org).count

    assert total() == 25
    with django_assert_num_queries(0):
        assert total("sort=title") == 25  # the order does not matter to the count
    assert total("status=closed") == 6
    make_risk(org, people["cio"], title="One more")
    assert total() == 26
    assert total("status=closed") == 6
    Risk.objects.filter(organization=org, title="One more").get().delete()
    assert total() == 25
    # Each viewer's own visibility: the board sees no risk.
    assert RegisterPaginator(_register(org, people["board"]), 25, organization=org).count == 0


def test_summary_tiles_are_cached_and_follow_every_change(org, people, django_assert_num_queries):
    risk = make_risk(org, people["cio"], title="Tracked")
    assert selectors.register_summary(org)["by_level"]["unassessed"] == 1
    with django_assert_num_queries(0):
        assert selectors.register_summary(org)["total"] == 1
    assess(risk, people["cio"], 4, 4)  # 16: high with the default thresholds
    summary = selectors.register_summary(org)
    assert summary["by_level"]["high"] == 1 and summary["by_level"]["unassessed"] == 0
    org.critical_from = 16  # the thresholds change: the cached tiles are not believed any more
    org.save()
    assert selectors.register_summary(org)["by_level"] == {
        "low": 0,
        "medium": 0,
        "high": 0,
        "critical": 1,
        "unassessed": 0,
    }


def test_a_deep_page_costs_what_the_first_does(client_as, org, people, django_assert_max_num_queries):
    _spread(org, people, 60)
    client = client_as("cio")
    client.get("/o/acme/risks/")
    with django_assert_max_num_queries(12) as first:
        assert client.get("/o/acme/risks/?sort=due").status_code == 200
    with django_assert_max_num_queries(12) as deep:
        response = client.get("/o/acme/risks/?sort=due&page=3")
    assert len(first.captured_queries) == len(deep.captured_queries)
    assert response.context["page_obj"].number == 3 and len(response.context["risks"]) == 10
    assert "51–60 of 60" in response.content.decode()
