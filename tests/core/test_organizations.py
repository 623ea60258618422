"""The life of an organization: create (from a template), archive (read-only
for everyone, through the one permission chokepoint) and restore, deletion
asked by an admin and confirmed by the CIO or CISO."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core import organizations
from core.errors import DomainError, NotAllowed
from core.models import Membership, Organization, SecurityEvent, SecurityEventKind
from core.permissions import forget_memberships, has_perm
from core.roles import Perm, Role
from governance.models import RaciActivity, RaciAssignment, RaciParty
from kpis.library import library_entries
from kpis.models import KPI
from tests.factories import UserFactory
from tests.kpis.factories import KPIFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


def _create(actor, **fields):
    values = {"name": "Harbor Freight", "slug": "harbor-freight", **fields}
    return organizations.organization_create(actor=actor, **values)


# ---------------------------------------------------------------- creation ---


def test_creator_becomes_admin_and_may_name_themselves_ciso_recorded_as_a_security_event():
    person = UserFactory()
    org = _create(person, founder_role=Role.CISO, currency="EUR", time_zone="Europe/Paris", risk_appetite=12)
    membership = Membership.objects.get(user=person, organization=org)
    assert (membership.role, membership.is_admin) == (Role.CISO, True)
    forget_memberships(person)
    assert has_perm(person, org, Perm.MEMBERS_MANAGE)  # may invite the CIO and the board
    assert has_perm(person, org, Perm.SIGN)
    assert (org.currency, org.time_zone, org.risk_appetite) == ("EUR", "Europe/Paris", 12)
    event = SecurityEvent.objects.get(organization=org, kind=SecurityEventKind.ORG_CREATED)
    assert event.actor == person and "its admin and its CISO" in event.detail
    assert "exception" in event.detail


def test_creator_as_admin_only_has_no_business_rights():
    person = UserFactory()
    org = _create(person)
    membership = Membership.objects.get(user=person, organization=org)
    assert (membership.role, membership.is_admin) == (Role.ADMIN, False)
    forget_memberships(person)
    assert not has_perm(person, org, Perm.RISK_VIEW)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"slug": "acme"}, "slug"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"founder_role": Role.BOARD}, "founder_role"),
        ({"currency": "euro"}, "currency"),
        ({"template": "everything"}, "template"),
        ({"template": "copy"}, "source"),
    ],
)
def test_creation_refuses_bad_input_naming_the_field(org, fields, field):
    with pytest.raises(DomainError) as caught:
        _create(UserFactory(), **fields)
    assert caught.value.field == field
    assert not Organization.objects.filter(slug="harbor-freight").exists()


def test_instance_setting_limits_creation_to_staff(settings):
    settings.CONCORD_ORG_CREATION = "staff"
    with pytest.raises(NotAllowed):
        _create(UserFactory())
    assert _create(UserFactory(is_staff=True)).slug == "harbor-freight"


def test_starter_template_lays_the_kpi_and_activity_libraries():
    org = _create(UserFactory(), template="starter")
    keys = set(KPI.objects.filter(organization=org).values_list("key", flat=True))
    assert keys == {entry.key for entry in library_entries()}
    assert RaciActivity.objects.filter(organization=org).count() > 5
    assert RaciAssignment.objects.filter(organization=org).exists()


def test_empty_template_starts_empty():
    org = _create(UserFactory(), template="empty")
    assert not KPI.objects.filter(organization=org).exists()
    assert not RaciActivity.objects.filter(organization=org).exists()


def test_copy_takes_settings_and_libraries_never_business_data(org, people):
    cio = people[Role.CIO]
    org.critical_from, org.report_schedule = 20, "monthly"
    org.save()
    kpi = KPIFactory(organization=org, name="Patch latency", key="patch_latency", owner=cio)
    MeasurementFactory(organization=org, kpi=kpi)
    from tests.risks.factories import make_risk

    make_risk(org, cio)
    party = RaciParty.objects.create(organization=org, name="Network team", kind="other")
    party.members.add(cio)
    activity = RaciActivity.objects.create(organization=org, name="Firewall rules")
    RaciAssignment.objects.create(organization=org, activity=activity, party=party, letter="R")
    forget_memberships(cio)
    new = _create(cio, founder_role=Role.CIO, template="copy", source=org)
    copied = KPI.objects.get(organization=new)
    assert (copied.key, copied.owner, copied.measurements.count()) == ("patch_latency", None, 0)
    twin = RaciParty.objects.get(organization=new)
    assert (
        twin.name == "Network team" and not twin.members.exists()
    )  # people of the other organization stay there
    assert RaciAssignment.objects.get(organization=new).letter == "R"
    assert (new.critical_from, new.report_schedule) == (20, "monthly")
    from risks.models import Risk

    assert not Risk.objects.filter(organization=new).exists()
    assert set(Membership.objects.filter(organization=new).values_list("user_id", flat=True)) == {cio.pk}


def test_copy_page_takes_the_source_settings_unless_changed(org, people, client_as):
    """The form leaves the settings blank: the copy keeps the source's fiscal
    year, currency, time zone and appetite; a setting the person chose wins."""
    Organization.objects.filter(pk=org.pk).update(
        fiscal_year_start_month=7, currency="EUR", time_zone="Europe/Paris", risk_appetite=12
    )
    page = client_as(Role.CIO).get(reverse("core:organization_create"))
    assert page.context["form"]["fiscal_year_start_month"].value() in (None, "")
    assert page.context["form"]["currency"].value() in (None, "")
    common = {"name": "Copy Co", "founder_role": "cio", "template": "copy", "source": org.slug}
    response = client_as(Role.CIO).post(
        reverse("core:organization_create"),
        {**common, "slug": "copy-co", "currency": "", "fiscal_year_start_month": "", "time_zone": "",
         "risk_appetite": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    copy = Organization.objects.get(slug="copy-co")
    assert (copy.fiscal_year_start_month, copy.currency, copy.time_zone, copy.risk_appetite) == (
        7, "EUR", "Europe/Paris", 12,
    )  # fmt: skip
    client_as(Role.CIO).post(
        reverse("core:organization_create"),
        {**common, "slug": "copy-two", "fiscal_year_start_month": 1, "currency": "GBP"},
    )
    changed = Organization.objects.get(slug="copy-two")
    assert (changed.fiscal_year_start_month, changed.currency, changed.time_zone) == (
        1,
        "GBP",
        "Europe/Paris",
    )
    plain = _create(UserFactory(), slug="plain")
    assert (plain.fiscal_year_start_month, plain.currency, plain.time_zone, plain.risk_appetite) == (
        1, "USD", "UTC", 9,
    )  # fmt: skip


def test_copy_only_from_an_organization_one_leads(org, people, other_org):
    admin = people[Role.ADMIN]
    with pytest.raises(DomainError) as caught:
        _create(admin, template="copy", source=org)  # admin of it, not its CIO or CISO
    assert caught.value.field == "source"
    with pytest.raises(DomainError):
        _create(people[Role.CIO], template="copy", source=other_org)  # not a member


def test_create_page_then_invite_page(client):
    person = UserFactory()
    client.force_login(person)
    response = client.post(
        reverse("core:organization_create"),
        {
            "name": "Harbor Freight",
            "slug": "harbor-freight",
            "currency": "USD",
            "fiscal_year_start_month": 4,
            "time_zone": "Europe/London",
            "risk_appetite": 10,
            "founder_role": "ciso",
            "template": "starter",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:members", args=["harbor-freight"])
    org = Organization.objects.get(slug="harbor-freight")
    assert org.fiscal_year_start_month == 4
    assert client.get(response["Location"]).status_code == 200


def test_create_page_shows_the_error_on_the_field(client, org):
    client.force_login(UserFactory())
    response = client.post(
        reverse("core:organization_create"),
        {
            "name": "X",
            "slug": "acme",
            "currency": "USD",
            "fiscal_year_start_month": 1,
            "time_zone": "UTC",
            "risk_appetite": 9,
            "founder_role": "admin",
            "template": "empty",
        },
    )
    assert response.status_code == 200
    assert "is taken" in response.context["form"].errors["slug"][0]


@pytest.mark.parametrize("slug", sorted(organizations.RESERVED_SLUGS))
def test_reserved_short_names_are_refused(slug):
    with pytest.raises(DomainError) as caught:
        _create(UserFactory(), slug=slug)
    assert caught.value.field == "slug" and "reserved" in str(caught.value)


@pytest.mark.parametrize("mark", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_names_with_reading_direction_overrides_are_refused(mark, client):
    with pytest.raises(DomainError) as caught:
        _create(UserFactory(), name=f"Acme{mark}evil")
    assert caught.value.field == "name"
    client.force_login(UserFactory())
    response = client.post(
        reverse("core:organization_create"),
        {"name": f"Acme{mark}evil", "slug": "acme-two", "currency": "USD", "fiscal_year_start_month": 1,
         "time_zone": "UTC", "risk_appetite": 9, "founder_role": "admin", "template": "empty"},
    )  # fmt: skip
    assert "reading direction" in response.context["form"].errors["name"][0]


def test_currency_must_be_a_real_iso_4217_code(client, org, people, client_as):
    from rest_framework.test import APIClient

    with pytest.raises(DomainError) as caught:
        _create(UserFactory(), currency="XYZ")
    assert caught.value.field == "currency"
    assert _create(UserFactory(), currency="GBP").currency == "GBP"
    api = APIClient()
    api.force_login(UserFactory())
    bad = api.post("/api/v1/orgs/", {"name": "Y", "slug": "why", "currency": "ABC"}, format="json")
    assert bad.status_code == 400 and "currency" in bad.json()["errors"]
    admin_page = client_as(Role.CIO).post(
        reverse("core:org_settings", args=[org.slug]),
        {"name": org.name, "currency": "QQQ", "fiscal_year_start_month": 1, "risk_appetite": 9,
         "medium_from": 5, "high_from": 10, "critical_from": 17, "report_schedule": org.report_schedule,
         "version": org.version},
    )  # fmt: skip
    assert "ISO 4217" in admin_page.context["form"].errors["currency"][0]


def test_create_page_refused_when_staff_only(client, settings):
    settings.CONCORD_ORG_CREATION = "staff"
    client.force_login(UserFactory())
    assert client.get(reverse("core:organization_create")).status_code == 403


def test_api_creates_and_reports_the_instance_setting(settings):
    from rest_framework.test import APIClient

    person = UserFactory()
    api = APIClient()
    api.force_login(person)
    assert api.get("/api/v1/instance/").json()["can_create_organizations"] is True
    response = api.post(
        "/api/v1/orgs/",
        {"name": "Harbor Freight", "slug": "harbor-freight", "founder_role": "cio", "template": "starter"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["slug"] == "harbor-freight"
    bad = api.post("/api/v1/orgs/", {"name": "Y", "slug": "Not A Slug"}, format="json")
    assert bad.status_code == 400 and "slug" in bad.json()["errors"]
    settings.CONCORD_ORG_CREATION = "staff"
    assert api.get("/api/v1/instance/").json()["can_create_organizations"] is False
    assert api.post("/api/v1/orgs/", {"name": "Z", "slug": "zed"}, format="json").status_code == 403


# ----------------------------------------------------------------- archive ---


def _archive(org, people):
    return organizations.organization_archive(actor=people[Role.ADMIN], organization=org)


def test_archive_is_read_only_for_everyone_in_services(org, people):
    kpi = KPIFactory(organization=org)
    _archive(org, people)
    org.refresh_from_db()
    for person in people.values():
        forget_memberships(person)
    from kpis import services as kpi_services

    with pytest.raises(NotAllowed, match="archived"):
        kpi_services.kpi_create(
            actor=people[Role.CIO],
            organization=org,
            name="New",
            unit="percent",
            direction="higher",
            target=90,
            warning=80,
            critical=70,
            frequency="monthly",
            domain="joint",
        )
    with pytest.raises(NotAllowed, match="archived"):
        kpi_services.kpi_create(  # Concord itself (a task) is refused too
            actor=None,
            organization=org,
            name="New",
            unit="percent",
            direction="higher",
            target=90,
            warning=80,
            critical=70,
            frequency="monthly",
            domain="joint",
        )
    kpi = KPI.objects.get(pk=kpi.pk)  # without its organization loaded: read fresh
    with pytest.raises(NotAllowed, match="archived"):
        kpi_services.kpi_update(actor=people[Role.CIO], kpi=kpi, name="Renamed")
    from core import services

    with pytest.raises(NotAllowed):
        services.organization_update(
            actor=people[Role.CIO], organization=org, expected_version=None, name="Renamed"
        )
    with pytest.raises(NotAllowed):
        services.membership_invite(actor=people[Role.ADMIN], organization=org, email="x@y.test", role="board")
    for perm in (Perm.RISK_EDIT, Perm.KPI_EDIT, Perm.SIGN, Perm.BUDGET_EDIT):
        assert not has_perm(people[Role.CIO], org, perm)
    assert has_perm(people[Role.CIO], org, Perm.RISK_VIEW)


def test_archive_is_read_only_on_pages_and_api(org, people, client_as):
    KPIFactory(organization=org)
    _archive(org, people)
    cio_page = client_as(Role.CIO)
    assert cio_page.get(reverse("kpis:scorecard", args=[org.slug])).status_code == 200
    response = cio_page.post(reverse("kpis:create", args=[org.slug]), {"name": "x"})
    assert response.status_code in (403, 404)
    settings_post = cio_page.post(reverse("core:org_settings", args=[org.slug]), {"name": "x"})
    assert settings_post.status_code == 403
    api = client_as(Role.CIO, api=True)
    assert api.get(f"/api/v1/orgs/{org.slug}/kpis/").status_code == 200
    created = api.post(f"/api/v1/orgs/{org.slug}/kpis/", {"name": "x"}, format="json")
    assert created.status_code == 403 and "archived" in created.json()["detail"]
    version = Organization.objects.get(pk=org.pk).version
    patched = api.patch(f"/api/v1/orgs/{org.slug}/", {"name": "Renamed", "version": version}, format="json")
    assert patched.status_code == 403
    assert Organization.objects.get(pk=org.pk).name == "Acme Corp"


def test_archived_organization_is_hidden_from_the_switcher_and_restored(org, other_org, people, client_as):
    cio = people[Role.CIO]
    Membership.objects.create(user=cio, organization=other_org, role=Role.BOARD)
    _archive(org, people)
    page = client_as(Role.CIO).get(reverse("core:my_invitations"))
    names = [m.organization.name for m in page.context["my_memberships"]]
    assert names == ["Globex"]
    restored = organizations.organization_restore(actor=people[Role.ADMIN], organization=org)
    assert restored.archived_at is None
    kinds = set(SecurityEvent.objects.filter(organization=org).values_list("kind", flat=True))
    assert {SecurityEventKind.ORG_ARCHIVED, SecurityEventKind.ORG_RESTORED} <= kinds


def test_archived_organizations_page_for_a_person_with_one_organization(org, people, client_as):
    _archive(org, people)
    board = client_as(Role.BOARD)
    home = board.get(reverse("core:my_invitations"))
    assert home.context["has_archived"] and reverse("core:organizations_archived") in home.content.decode()
    page = board.get(reverse("core:organizations_archived"))
    assert page.status_code == 200
    (row,) = page.context["archived"]
    assert row["slug"] == org.slug and row["state"] == "Archived: ask an admin to restore it"
    assert row["settings_url"] == ""  # the board cannot restore or delete
    (row,) = client_as(Role.ADMIN).get(reverse("core:organizations_archived")).context["archived"]
    assert row["settings_url"] == reverse("core:org_lifecycle", args=[org.slug])
    assert (
        "Restore or delete"
        in client_as(Role.ADMIN).get(reverse("core:organizations_archived")).content.decode()
    )


def test_archived_banner_only_on_that_organizations_pages(org, other_org, people, client_as):
    cio = people[Role.CIO]
    Membership.objects.create(user=cio, organization=other_org, role=Role.BOARD)
    _archive(org, people)
    client = client_as(Role.CIO)
    client.get(reverse("core:org_home", args=[org.slug]))  # the session's last organization
    assert client.session["org"] == org.slug
    assert (
        'data-testid="archived-banner"'
        in client.get(reverse("core:org_lifecycle", args=[org.slug])).content.decode()
    )
    # The session's last organization is the archived one; other pages say nothing of it.
    for url in (reverse("portfolio:portfolio"), reverse("core:profile"), reverse("core:my_invitations")):
        response = client.get(url)
        assert response.status_code in (200, 302)
        assert 'data-testid="archived-banner"' not in response.content.decode(), url


def test_only_an_admin_archives(org, people):
    with pytest.raises(NotAllowed):
        organizations.organization_archive(actor=people[Role.CIO], organization=org)


def test_lifecycle_pages_archive_and_restore(org, people, client_as):
    admin = client_as(Role.ADMIN)
    assert admin.get(reverse("core:org_lifecycle", args=[org.slug])).status_code == 200
    assert admin.post(reverse("core:org_archive", args=[org.slug])).status_code == 302
    assert Organization.objects.get(pk=org.pk).archived_at is not None
    page = admin.get(reverse("core:org_lifecycle", args=[org.slug]))
    assert b"archived" in page.content.lower()
    assert admin.post(reverse("core:org_restore", args=[org.slug])).status_code == 302
    assert Organization.objects.get(pk=org.pk).archived_at is None


# ----------------------------------------------------------------- delete ----


def test_deletion_asked_by_admin_confirmed_by_an_executive_after_grace(org, people, settings):
    settings.CONCORD_ORG_DELETION_GRACE_DAYS = 7
    admin, ciso = people[Role.ADMIN], people[Role.CISO]
    with pytest.raises(NotAllowed):
        organizations.organization_deletion_request(actor=ciso, organization=org)
    asked = organizations.organization_deletion_request(actor=admin, organization=org)
    assert asked.archived_at is not None
    with pytest.raises(NotAllowed):
        organizations.organization_deletion_confirm(actor=admin, organization=org)
    with pytest.raises(NotAllowed):
        organizations.organization_deletion_confirm(actor=people[Role.BOARD], organization=org)
    confirmed = organizations.organization_deletion_confirm(actor=ciso, organization=org)
    assert confirmed.deletion_due_at - confirmed.deletion_confirmed_at == timedelta(days=7)
    assert organizations.organization_purge_due() == []  # not yet
    assert Organization.objects.filter(pk=org.pk).exists()
    removed = organizations.organization_purge_due(now=timezone.now() + timedelta(days=8))
    assert removed == ["Acme Corp"]
    assert not Organization.objects.filter(pk=org.pk).exists()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ORG_DELETED)
    assert event.organization is None and "Acme Corp (acme)" in event.detail


def test_founder_who_asked_cannot_confirm_alone():
    founder = UserFactory()
    org = _create(founder, founder_role=Role.CISO)
    forget_memberships(founder)
    organizations.organization_deletion_request(actor=founder, organization=org)
    with pytest.raises(NotAllowed, match="other executive"):
        organizations.organization_deletion_confirm(actor=founder, organization=org)


def test_deletion_can_be_cancelled_and_stays_archived(org, people):
    organizations.organization_deletion_request(actor=people[Role.ADMIN], organization=org)
    organizations.organization_deletion_confirm(actor=people[Role.CIO], organization=org)
    cancelled = organizations.organization_deletion_cancel(actor=people[Role.CISO], organization=org)
    assert cancelled.deletion_due_at is None and cancelled.archived_at is not None
    assert organizations.organization_purge_due(now=timezone.now() + timedelta(days=365)) == []


def test_export_holds_only_this_organizations_security_events(org, other_org, people, client_as):
    """A member's sign-ins and addresses, and what they did elsewhere, never
    leave with the organization; nor anything from before it existed."""
    import json

    from core.audit import record_event

    cio = people[Role.CIO]
    record_event(SecurityEventKind.SIGN_IN, actor=cio, subject=cio, detail="Signed in from 203.0.113.9")
    record_event(
        SecurityEventKind.ROLE_CHANGED, actor=cio, organization=other_org, subject=cio, detail="Elsewhere"
    )
    old = record_event(
        SecurityEventKind.ROLE_CHANGED, actor=cio, organization=org, subject=cio, detail="Too old"
    )
    # The organization came (back) into being after that event (e.g. a reused id).
    Organization.objects.filter(pk=org.pk).update(created_at=old.created_at + timedelta(microseconds=1))
    record_event(SecurityEventKind.ROLE_CHANGED, actor=cio, organization=org, subject=cio, detail="Here")
    data = json.loads(client_as(Role.CISO).get(reverse("core:org_lifecycle_export", args=[org.slug])).content)
    details = {e["detail"] for e in data["security_events"]}
    assert "Here" in details
    assert not details & {"Signed in from 203.0.113.9", "Elsewhere", "Too old"}
    assert all(e["organization"] for e in data["security_events"])


def test_export_is_offered_to_the_executives_before_deletion(org, people, client_as):
    import json

    organizations.organization_deletion_request(actor=people[Role.ADMIN], organization=org)
    response = client_as(Role.CISO).get(reverse("core:org_lifecycle_export", args=[org.slug]))
    assert response.status_code == 200  # archived meanwhile: still readable
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["format"] == "concord-organization-export"
    assert {u["password"] for u in data["users"]} == {"!"}  # nobody's password hash leaves
    assert SecurityEvent.objects.filter(organization=org, kind=SecurityEventKind.EXPORT).exists()
    # The admin sees no business records, so not the export either.
    assert client_as(Role.ADMIN).get(reverse("core:org_lifecycle_export", args=[org.slug])).status_code == 404
    page = client_as(Role.CISO).get(reverse("core:org_lifecycle", args=[org.slug])).content.decode()
    assert "Download everything first" in page and "Confirm deletion" in page


def test_lifecycle_api(org, people, client_as):
    admin, cio = client_as(Role.ADMIN, api=True), client_as(Role.CIO, api=True)
    assert cio.post(f"/api/v1/orgs/{org.slug}/archive/").status_code == 403
    assert admin.post(f"/api/v1/orgs/{org.slug}/archive/").json()["archived_at"]
    assert admin.post(f"/api/v1/orgs/{org.slug}/deletion/request/").status_code == 200
    assert admin.post(f"/api/v1/orgs/{org.slug}/deletion/confirm/").status_code == 403
    confirmed = cio.post(f"/api/v1/orgs/{org.slug}/deletion/confirm/").json()
    assert confirmed["deletion_confirmed_by"] == people[Role.CIO].email and confirmed["deletion_due_at"]
    assert admin.post(f"/api/v1/orgs/{org.slug}/deletion/cancel/").json()["deletion_due_at"] is None
    assert admin.post(f"/api/v1/orgs/{org.slug}/restore/").json()["archived_at"] is None


# ----------------------------------------------------------------- landing ---


def test_landing_portfolio_with_several_organizations_else_the_last_used(org, other_org, people, client):
    ciso = people[Role.CISO]
    Membership.objects.create(user=ciso, organization=other_org, role=Role.CISO)
    client.force_login(ciso)
    assert client.get("/")["Location"] == reverse("portfolio:portfolio")
    client.get(reverse("core:org_home", args=[other_org.slug]))
    assert client.get("/")["Location"] == reverse("core:org_home", args=[other_org.slug])


def test_landing_in_the_only_organization(org, people, client):
    client.force_login(people[Role.CIO])
    assert client.get("/")["Location"] == reverse("core:org_home", args=[org.slug])


def test_purge_command_and_task_carry_out_due_deletions(org, people):
    from io import StringIO

    from django.core.management import call_command

    from core import tasks

    organizations.organization_deletion_request(actor=people[Role.ADMIN], organization=org)
    organizations.organization_deletion_confirm(actor=people[Role.CIO], organization=org)
    out = StringIO()
    call_command("purge_organizations", stdout=out)
    assert "No organization is due" in out.getvalue()
    Organization.objects.filter(pk=org.pk).update(deletion_due_at=timezone.now() - timedelta(minutes=1))
    call_command("purge_organizations", "--dry-run", stdout=out)
    assert "Due: Acme Corp" in out.getvalue()
    assert tasks.organizations_purge_due() == ["Acme Corp"]
    assert "core-organizations-purge" in tasks.BEAT_SCHEDULE
