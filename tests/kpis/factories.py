"""Factories for KPIs and their values."""

from datetime import date
from decimal import Decimal

import factory

from kpis.models import KPI, Measurement
from tests.factories import OrganizationFactory


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPI

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"KPI {n}")
    key = factory.Sequence(lambda n: f"kpi_{n}")
    domain = "security"
    unit = "percent"
    direction = "higher"
    target = Decimal("95")
    warning = Decimal("90")
    critical = Decimal("80")
    frequency = "monthly"


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    kpi = factory.SubFactory(KPIFactory)
    organization = factory.LazyAttribute(lambda m: m.kpi.organization)
    period = date(2026, 1, 1)
    value = Decimal("93")
    source = "manual"
