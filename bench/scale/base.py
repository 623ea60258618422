"""Shared pieces of the scale data: the run's context, organizations and people."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from core.models import Membership, Organization, User
from core.roles import Role

BATCH = 2000


@dataclass
class Ctx:
    """One seeding run: the scale factor, the random source and the output."""

    scale: float
    rng: random.Random
    say: Callable[[str], None]
    today: date = field(default_factory=timezone.localdate)
    password_hash: str = ""

    def n(self, full: int) -> int:
        """``full`` at scale 1; never below one so every shape stays present."""
        return max(1, round(full * self.scale))


@dataclass
class OrgPeople:
    """An organization, its people by role, and everyone who may own things."""

    org: Organization
    by_role: dict[str, list[User]]

    def one(self, role: str) -> User:
        return self.by_role[role][0]

    @property
    def owners(self) -> list[User]:
        return self.by_role[Role.CIO] + self.by_role[Role.CISO] + self.by_role[Role.CONTRIBUTOR]


def bulk(model, rows: Iterable, batch_size: int = BATCH) -> list:
    return model.objects.bulk_create(list(rows), batch_size=batch_size)


def shared_password_hash() -> str:
    """One hash for every scale person: hashing hundreds of passwords would
    take minutes. Everyone signs in with the demo password."""
    return make_password(settings.DEMO_PASSWORD)


def make_org(ctx: Ctx, *, slug: str, name: str, staff: dict[str, int], domain: str) -> OrgPeople:
    """An organization with ``staff[role]`` people per role (e-mails role-N@domain)."""
    org = Organization.objects.create(name=name, slug=slug, currency="USD", fiscal_year_start_month=1)
    users: list[User] = []
    roles: list[str] = []
    for role, count in staff.items():
        for i in range(count):
            local = role if i == 0 else f"{role}{i + 1}"
            users.append(
                User(
                    email=f"{local}@{domain}",
                    full_name=f"{role.upper()} {i + 1} {name}",
                    password=ctx.password_hash,
                )
            )
            roles.append(role)
    users = bulk(User, users)
    bulk(
        Membership, (Membership(user=u, organization=org, role=r) for u, r in zip(users, roles, strict=True))
    )
    by_role: dict[str, list[User]] = {role: [] for role in Role.values}
    for user, role in zip(users, roles, strict=True):
        by_role[role].append(user)
    return OrgPeople(org=org, by_role=by_role)


def months_back(today: date, count: int) -> list[date]:
    """The first days of the ``count`` months before this one, oldest first."""
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(date(year, month, 1))
    return list(reversed(out))
