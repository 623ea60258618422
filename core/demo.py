"""The demo organization's people. Each app adds its own demo data in its
``demo.py`` (a ``seed(organization, people)`` function), called in dependency order."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from .models import Membership, Organization, User
from .roles import Role

DEMO_ORG = {
    "name": "Northwind Health",
    "slug": "northwind-health",
    "currency": "USD",
    "fiscal_year_start_month": 7,
}
DEMO_PEOPLE = [
    ("cio@northwind.example", "Maya Chen", Role.CIO),
    ("ciso@northwind.example", "Daniel Okafor", Role.CISO),
    ("board@northwind.example", "Eleanor Whitfield", Role.BOARD),
    ("contributor@northwind.example", "Priya Raman", Role.CONTRIBUTOR),
    ("admin@northwind.example", "Tom Becker", Role.ADMIN),
]
# A virtual CISO who also serves a second organization.
SECOND_ORG = {
    "name": "Harbor Logistics",
    "slug": "harbor-logistics",
    "currency": "EUR",
    "fiscal_year_start_month": 1,
}


@transaction.atomic
def seed_people() -> tuple[Organization, dict[str, User], Organization]:
    org, _ = Organization.objects.get_or_create(slug=DEMO_ORG["slug"], defaults=DEMO_ORG)
    second, _ = Organization.objects.get_or_create(slug=SECOND_ORG["slug"], defaults=SECOND_ORG)
    people: dict[str, User] = {}
    for email, name, role in DEMO_PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=settings.DEMO_PASSWORD, full_name=name)
        Membership.objects.get_or_create(user=user, organization=org, defaults={"role": role})
        people[role] = user
    Membership.objects.get_or_create(
        user=people[Role.CISO], organization=second, defaults={"role": Role.CISO}
    )
    Membership.objects.get_or_create(
        user=people[Role.ADMIN], organization=second, defaults={"role": Role.ADMIN}
    )
    return org, people, second


def seed_second(second: Organization) -> None:
    """The virtual CISO's second organization starts from the starter
    libraries (KPIs, ownership matrix), once: the portfolio then shows two
    organizations and the comparison has KPIs in common."""
    from .models import SecurityEvent, SecurityEventKind
    from .org_templates import Template
    from .organizations import apply_template

    if SecurityEvent.objects.filter(organization=second, kind=SecurityEventKind.ORG_CREATED).exists():
        return
    started = apply_template(second, template=Template.STARTER, source=None)
    SecurityEvent.objects.create(
        organization=second,
        kind=SecurityEventKind.ORG_CREATED,
        detail=f"Demo organization. {started}",
    )
