"""Filter sets shared by the API lists (and usable by pages)."""

import django_filters

from core.members import MemberFilter

from .models import KPI, CsfFunction, Direction, Domain, Frequency, Measurement, Source, Unit


class KPIFilter(django_filters.FilterSet):
    domain = django_filters.ChoiceFilter(choices=Domain.choices)
    unit = django_filters.ChoiceFilter(choices=Unit.choices)
    direction = django_filters.ChoiceFilter(choices=Direction.choices)
    frequency = django_filters.ChoiceFilter(choices=Frequency.choices)
    csf_function = django_filters.ChoiceFilter(choices=[c for c in CsfFunction.choices if c[0]])
    computed = django_filters.BooleanFilter()
    key = django_filters.CharFilter()
    owner = MemberFilter(help_text="Id of a member of the organization.")

    class Meta:
        model = KPI
        fields = ["domain", "unit", "direction", "frequency", "csf_function", "computed", "key", "owner"]


class MeasurementFilter(django_filters.FilterSet):
    kpi = django_filters.NumberFilter(field_name="kpi_id", help_text="The KPI's number.")
    kpi_key = django_filters.CharFilter(field_name="kpi__key", help_text="The KPI's key.")
    period = django_filters.DateFromToRangeFilter(
        help_text="period_after / period_before: first days of periods, inclusive (YYYY-MM-DD)."
    )
    source = django_filters.ChoiceFilter(choices=Source.choices)
    domain = django_filters.ChoiceFilter(field_name="kpi__domain", choices=Domain.choices)

    class Meta:
        model = Measurement
        fields = ["kpi", "kpi_key", "period", "source", "domain"]
