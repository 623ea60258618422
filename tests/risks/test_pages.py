"""Pages of the register: the role contract of every page, the register's
filters and pinned query count, forms, concurrency and the workflow POSTs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import SignOff
from core.roles import Role
from risks import services
from risks.models import Assessment, Lens, Risk, RiskStatus

from ..contract import expect_page
from .factories import LOSS, assess, assessed_risk, make_risk, request_acceptance

pytestmark = pytest.mark.django_db
EXECS = {"cio", "ciso"}


@pytest.fixture
def risk(org, people):
    r = assessed_risk(org, people, cio=(2, 2), ciso=(4, 5), **LOSS)
    services.mitigation_create(actor=people["cio"], risk=r, title="EDR rollout", owner=people["ciso"])
    return r


@pytest.mark.parametrize(
    "path",
    [
        "",
        "new/",
        "heat-map/",
        "my-queue/",
        "import/",
        "{pk}/",
        "{pk}/edit/",
        "{pk}/delete/",
        "{pk}/mitigations/new/",
        "{pk}/mitigations/{mpk}/edit/",
    ],
)
def test_every_page_keeps_the_role_contract(client_as, risk, path):
    url = "/o/acme/risks/" + path.format(pk=risk.pk, mpk=risk.mitigations.get().pk)
    expect_page(client_as, url, allowed=EXECS)


def test_exports_keep_the_role_contract(client_as, risk):
    expect_page(client_as, "/o/acme/risks/export/?format=csv", allowed=EXECS)
    expect_page(client_as, "/o/acme/risks/export/?format=xlsx", allowed=EXECS)


def test_board_gets_404_on_the_register(client_as, risk):
    assert client_as("board").get("/o/acme/risks/").status_code == 404
    assert client_as("board").get(f"/o/acme/risks/{risk.pk}/").status_code == 404


@pytest.mark.parametrize(
    "action",
    [
        "assess",
        "agreement/propose",
        "agreement/confirm",
        "agreement/decline",
        "acceptance/request",
        "sign",
        "withdraw",
        "acceptance/end",
        "delete",
    ],
)
def test_workflow_posts_are_invisible_to_other_roles(client_as, risk, action):
    for role in ("board", "contributor", "admin", "outsider"):
        assert client_as(role).post(f"/o/acme/risks/{risk.pk}/{action}/", {}).status_code == 404, role
    assert client_as("anonymous").post(f"/o/acme/risks/{risk.pk}/{action}/", {}).status_code == 302


def test_risk_of_another_organization_is_404(client_as, other_org, people):
    foreign = make_risk(other_org, people["outsider"])
    assert client_as("cio").get(f"/o/acme/risks/{foreign.pk}/").status_code == 404
    assert client_as("cio").get(f"/o/globex/risks/{foreign.pk}/").status_code == 404


def test_detail_shows_both_lenses_side_by_side_and_the_divergence(client_as, risk):
    html = client_as("ciso").get(f"/o/acme/risks/{risk.pk}/").content.decode()
    assert "CIO view" in html and "CISO view" in html
    assert "The CISO rates this risk Critical (20); the CIO rates it Low (4): three levels apart." in html
    assert "Divergent · 3 levels apart" in html
    assert "EDR rollout" in html and "History" in html
    assert "34,167 USD" in html  # expected annual loss


def _make_many(org, people, n):
    cio = people["cio"]
    for i in range(n):
        r = make_risk(org, cio, title=f"Risk {i}", csf_categories=[], annex_a_controls=[])
        Assessment.objects.create(
            organization=org,
            risk=r,
            lens=Lens.CIO,
            inherent_likelihood=1 + i % 5,
            inherent_impact=1 + (i * 3) % 5,
            residual_likelihood=1,
            residual_impact=1,
            rationale="x",
            assessed_by=cio,
        )
        services.refresh_scores(r)
        r.save()


def test_register_query_count_is_the_same_at_10_and_500_risks(
    client_as, org, people, django_assert_max_num_queries
):
    """Cold (first request after a change: the total and the summary are
    computed) and warm (both read from the cache) requests each cost the same
    at 10 and 500 risks, and the deep page too."""
    client = client_as("cio")
    client.get("/o/acme/risks/")  # warm caches (content types, sessions)
    url = "/o/acme/risks/?sort=-score&status=open&page=2"
    counts = {}
    for size, more in (("small", 30), ("large", 470)):
        _make_many(org, people, more)
        with django_assert_max_num_queries(12) as cold:
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(10) as warm:
            response = client.get(url)
        total = response.context["page_obj"].paginator.count
        assert response.status_code == 200 and len(response.context["risks"]) == min(25, total - 25)
        counts[size] = (len(cold.captured_queries), len(warm.captured_queries))
    assert response.context["page_obj"].paginator.count == 500
    assert counts["small"] == counts["large"]
    assert counts["small"][1] == counts["small"][0] - 2  # total and summary came from the cache


def test_register_filters_live_in_the_url(client_as, org, people):
    high = assessed_risk(org, people, title="High one", cio=(4, 4), ciso=(4, 4))
    low = assessed_risk(org, people, title="Low one", cio=(1, 2), ciso=(1, 2))
    split = assessed_risk(org, people, title="Split one", cio=(1, 2), ciso=(4, 5))
    client = client_as("cio")

    def titles(query):
        return [r.title for r in client.get(f"/o/acme/risks/?{query}").context["risks"]]

    assert titles("level=high") == ["High one"]
    assert titles("divergent=yes") == ["Split one"]
    assert set(titles("appetite=above")) == {"High one", "Split one"}
    assert titles("appetite=within") == ["Low one"]
    assert titles("cell=4-4") == ["High one"]
    assert titles("matrix=residual&cell=1-1") == ["High one", "Split one", "Low one"] or set(
        titles("matrix=residual&cell=1-1")
    ) == {high.title, low.title, split.title}
    assert titles("sort=title") == ["High one", "Low one", "Split one"]
    assert titles("sort=-title") == ["Split one", "Low one", "High one"]
    assert titles("q=split") == ["Split one"]
    assert titles(f"owner={people['cio'].pk}")
    response = client.get("/o/acme/risks/?cell=9-9")
    assert response.status_code == 200 and "Some filters were ignored" in response.content.decode()


def test_heat_map_counts_agree_with_the_register(client_as, org, people):
    assessed_risk(org, people, cio=(4, 5), ciso=(4, 5))
    assessed_risk(org, people, cio=(4, 5), ciso=(2, 2))
    client = client_as("cio")
    html = client.get("/o/acme/risks/heat-map/").content.decode()
    assert "?matrix=inherent&amp;cell=4-5" in html and "2 risks" in html
    assert len(client.get("/o/acme/risks/?matrix=inherent&cell=4-5").context["risks"]) == 2


def test_create_form_offers_only_members_and_names_bad_fields(client_as, org, people):
    client = client_as("cio")
    form = client.get("/o/acme/risks/new/").context["form"]
    assert set(form.fields["owner"].queryset) == {p for k, p in people.items() if k != "outsider"}
    response = client.post(
        "/o/acme/risks/new/",
        {
            "title": "",
            "impact_statement": "x",
            "category": "people",
            "origin": "it",
            "owner": people["outsider"].pk,
            "loss_low": "10",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"title", "owner", "loss_most_likely"} <= set(errors)
    assert not Risk.objects.exists()


def test_create_then_edit_through_the_pages(client_as, org, people):
    client = client_as("cio")
    response = client.post(
        "/o/acme/risks/new/",
        {
            "title": "Shadow IT",
            "impact_statement": "Data leaves our control.",
            "category": "data_protection",
            "origin": "security",
            "owner": people["ciso"].pk,
            "status": "identified",
            "csf_categories": ["1", "2"],
        },
    )
    risk = Risk.objects.get()
    assert response.status_code == 302 and risk.reference == "R-001" and risk.csf_categories.count() == 2
    response = client.post(
        f"/o/acme/risks/{risk.pk}/edit/",
        {
            "title": "Shadow IT tools",
            "impact_statement": "Data leaves our control.",
            "category": "data_protection",
            "origin": "security",
            "owner": people["ciso"].pk,
            "status": "identified",
            "version": risk.version,
        },
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.title == "Shadow IT tools" and risk.csf_categories.count() == 0


def test_second_save_of_the_same_version_is_refused_with_a_clear_message(client_as, org, people):
    risk = make_risk(org, people["cio"])
    data = {
        "impact_statement": "x",
        "category": "people",
        "origin": "it",
        "owner": people["cio"].pk,
        "status": "identified",
        "version": risk.version,
    }
    assert (
        client_as("cio").post(f"/o/acme/risks/{risk.pk}/edit/", {**data, "title": "CIO's"}).status_code == 302
    )
    response = client_as("ciso").post(f"/o/acme/risks/{risk.pk}/edit/", {**data, "title": "CISO's"})
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    risk.refresh_from_db()
    assert risk.title == "CIO's"


def test_each_lens_assesses_from_the_page_and_cannot_write_the_other(client_as, org, people):
    risk = make_risk(org, people["cio"])
    ratings = {
        "inherent_likelihood": 4,
        "inherent_impact": 5,
        "residual_likelihood": 2,
        "residual_impact": 2,
        "rationale": "Seen it happen.",
    }
    assert (
        client_as("ciso")
        .post(f"/o/acme/risks/{risk.pk}/assess/", {**ratings, "version": risk.version})
        .status_code
        == 302
    )
    assert Assessment.objects.get().lens == Lens.CISO
    response = client_as("cio").post(f"/o/acme/risks/{risk.pk}/assess/", {**ratings, "rationale": ""})
    assert response.status_code == 400 and "rationale" in response.context["assess_form"].errors


def test_agreement_and_joint_acceptance_through_the_pages(client_as, org, people):
    risk = assessed_risk(org, people, cio=(3, 4), ciso=(4, 5))
    cio, ciso = client_as("cio"), client_as("ciso")
    base = f"/o/acme/risks/{risk.pk}"
    assert (
        cio.post(
            f"{base}/agreement/propose/",
            {
                "agree-inherent_likelihood": 4,
                "agree-inherent_impact": 4,
                "agree-residual_likelihood": 2,
                "agree-residual_impact": 2,
                "agree-rationale": "Met and agreed.",
            },
        ).status_code
        == 302
    )
    assert ciso.post(f"{base}/agreement/confirm/").status_code == 302
    risk.refresh_from_db()
    assert risk.is_agreed and risk.inherent_score == 16
    expires = (timezone.localdate() + timedelta(days=60)).isoformat()
    response = cio.post(
        f"{base}/acceptance/request/", {"justification": "", "expires_on": expires, "version": risk.version}
    )
    assert response.status_code == 400 and "justification" in response.context["acceptance_form"].errors
    assert (
        cio.post(
            f"{base}/acceptance/request/",
            {"justification": "Funded fix in Q2.", "expires_on": expires, "version": risk.version},
        ).status_code
        == 302
    )
    assert cio.post(f"{base}/sign/", {"decision": "approve"}).status_code == 302
    html = ciso.get(f"{base}/").content.decode()
    assert "1 of 2 signed" in html and "Approve as CISO" in html
    assert ciso.post(f"{base}/sign/", {"decision": "approve"}).status_code == 302
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ACCEPTED and SignOff.objects.count() == 2


def test_my_queue_lists_what_waits_for_me(client_as, org, people):
    missing = make_risk(org, people["cio"], title="Needs the CISO")
    assess(missing, people["cio"], 3, 3)
    risk = assessed_risk(org, people)
    request_acceptance(risk, people["cio"])
    html = client_as("ciso").get("/o/acme/risks/my-queue/").content.decode()
    assert "Needs the CISO" in html and "Ransomware on clinical systems" in html
    html = client_as("cio").get("/o/acme/risks/my-queue/").content.decode()
    assert "Needs the CISO" not in html


def test_mitigation_form_and_delete(client_as, org, people):
    risk = make_risk(org, people["cio"])
    client = client_as("cio")
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    response = client.post(
        f"/o/acme/risks/{risk.pk}/mitigations/new/",
        {
            "title": "Patch window",
            "owner": people["ciso"].pk,
            "status": "planned",
            "due_date": past,
            "cost": "-5",
        },
    )
    assert response.status_code == 200 and "cost" in response.context["form"].errors
    client.post(
        f"/o/acme/risks/{risk.pk}/mitigations/new/",
        {
            "title": "Patch window",
            "owner": people["ciso"].pk,
            "status": "planned",
            "due_date": past,
            "cost": "5000",
        },
    )
    mitigation = risk.mitigations.get()
    assert "Overdue" in client.get(f"/o/acme/risks/{risk.pk}/").content.decode()
    assert (
        client.post(
            f"/o/acme/risks/{risk.pk}/mitigations/{mitigation.pk}/delete/", {"version": mitigation.version}
        ).status_code
        == 302
    )
    assert not risk.mitigations.exists()


def test_delete_page_removes_the_risk(client_as, org, people):
    risk = make_risk(org, people["cio"])
    assert (
        client_as("ciso").post(f"/o/acme/risks/{risk.pk}/delete/", {"version": risk.version}).status_code
        == 302
    )
    assert not Risk.objects.exists()


def test_empty_register_explains_what_to_do(client_as, org, people):
    html = client_as("cio").get("/o/acme/risks/").content.decode()
    assert "The register is empty" in html
    assert Role.CIO


def test_my_queue_lists_overdue_reviews_longest_overdue_first(client_as, org, people):
    today = timezone.localdate()
    late = make_risk(org, people["cio"], title="Vendor access review")
    later = make_risk(org, people["cio"], title="Backup restore drill")
    make_risk(org, people["cio"], title="Reviewed next month", next_review_date=today + timedelta(days=30))
    closed = make_risk(org, people["cio"], title="Retired mainframe")
    Risk.objects.filter(pk=late.pk).update(next_review_date=today - timedelta(days=3))
    Risk.objects.filter(pk=later.pk).update(next_review_date=today - timedelta(days=40))
    Risk.objects.filter(pk=closed.pk).update(
        next_review_date=today - timedelta(days=9), status=RiskStatus.CLOSED
    )
    html = client_as("ciso").get("/o/acme/risks/my-queue/").content.decode()
    section = html.split('id="reviews-title"')[1].split("</section>")[0]
    assert section.index("Backup restore drill") < section.index("Vendor access review")
    assert "Reviewed next month" not in section and "Retired mainframe" not in section
    assert "All risks by review date" not in section


def test_my_queue_says_when_no_review_is_overdue(client_as, org, people):
    make_risk(org, people["cio"], title="Fresh risk")
    html = client_as("cio").get("/o/acme/risks/my-queue/").content.decode()
    assert "No review is overdue." in html


def test_my_queue_shows_ten_overdue_reviews_and_links_to_the_rest(client_as, org, people):
    risks = [make_risk(org, people["cio"], title=f"Overdue review {n:02d}") for n in range(11)]
    Risk.objects.filter(pk__in=[r.pk for r in risks]).update(
        next_review_date=timezone.localdate() - timedelta(days=1)
    )
    html = client_as("cio").get("/o/acme/risks/my-queue/").content.decode()
    section = html.split('id="reviews-title"')[1].split("</section>")[0]
    assert section.count("Overdue review ") == 10 and "/o/acme/risks/?sort=review" in section
