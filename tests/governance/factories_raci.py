"""RACI test data: parties, activities and cells."""

import factory

from governance.models import PartyKind, RaciActivity, RaciAssignment, RaciParty
from tests.factories import OrganizationFactory


class RaciPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RaciParty

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Party {n}")
    kind = PartyKind.OTHER
    position = factory.Sequence(lambda n: n)


class RaciActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RaciActivity

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Activity {n}")
    process_area = "governance"
    csf_category = "GV.RR"
    position = factory.Sequence(lambda n: n)


def standard_parties(organization):
    """CIO, CISO and IT operations parties."""
    return {
        "cio": RaciPartyFactory(organization=organization, name="CIO", kind=PartyKind.CIO),
        "ciso": RaciPartyFactory(organization=organization, name="CISO", kind=PartyKind.CISO),
        "ops": RaciPartyFactory(
            organization=organization, name="IT operations", kind=PartyKind.IT_OPERATIONS
        ),
    }


def cell(activity, party, letter):
    return RaciAssignment.objects.create(
        organization=activity.organization, activity=activity, party=party, letter=letter
    )


def matrix_id(slug: str = "acme") -> int:
    """The id of the organization's matrix (the subject of sign/ and withdraw/), made if missing."""
    from core.models import Organization
    from governance.raci.services import raci_matrix_get_or_create

    return raci_matrix_get_or_create(organization=Organization.objects.get(slug=slug)).pk
