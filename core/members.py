"""Fields that refer to a person of the organization (owners, sponsors, party
members), for forms, filters, API serializers and services alike.

An unknown id and the id of someone in another organization get the same
answer, word for word, so that nobody can probe who uses Concord elsewhere.
"""

from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .errors import DomainError
from .models import Membership, Organization, User

NOT_A_MEMBER = "Choose a member of this organization."


def members_of(organization: Organization | None):
    """The people of ``organization`` (none without one), by name."""
    if organization is None:
        return User.objects.none()
    return User.objects.filter(memberships__organization=organization).order_by("full_name", "email")


def is_member(user, organization: Organization) -> bool:
    return user is not None and Membership.objects.filter(user=user, organization=organization).exists()


def require_member(user, organization: Organization, *, field: str = "owner", required: bool = True) -> None:
    """Services' check: ``user`` belongs to ``organization`` (raises DomainError naming ``field``)."""
    if user is None and not required:
        return
    if not is_member(user, organization):
        raise DomainError(NOT_A_MEMBER, field=field)


def require_members(users, organization: Organization, *, field: str = "members") -> list:
    users = list(users or [])
    ids = {u.pk for u in users}
    known = set(
        Membership.objects.filter(organization=organization, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )
    if ids - known:
        raise DomainError(NOT_A_MEMBER, field=field)
    return users


# ------------------------------------------------------------------ forms ----


def _label(user) -> str:
    return f"{user.display_name} ({user.email})"


class MemberChoiceField(forms.ModelChoiceField):
    """A person of the organization. Pass ``organization=`` or set ``queryset`` later."""

    default_error_messages = {"invalid_choice": NOT_A_MEMBER}

    def __init__(self, queryset=None, *, organization: Organization | None = None, **kwargs):
        super().__init__(queryset if queryset is not None else members_of(organization), **kwargs)

    def label_from_instance(self, obj) -> str:
        return _label(obj)


class MemberMultipleChoiceField(forms.ModelMultipleChoiceField):
    default_error_messages = {"invalid_choice": NOT_A_MEMBER, "invalid_pk_value": NOT_A_MEMBER}

    def __init__(self, queryset=None, *, organization: Organization | None = None, **kwargs):
        super().__init__(queryset if queryset is not None else members_of(organization), **kwargs)

    def label_from_instance(self, obj) -> str:
        return _label(obj)


# ---------------------------------------------------------------- filters ----


class _MemberFilterField(django_filters.fields.ModelChoiceField):
    default_error_messages = {"invalid_choice": NOT_A_MEMBER}


def _members_of_request(request):
    """The organization named in the URL (``org`` or ``org_slug``), if the person belongs to it."""
    from .permissions import memberships_of

    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match else {}
    membership = memberships_of(getattr(request, "user", None)).get(
        kwargs.get("org_slug") or kwargs.get("org")
    )
    return members_of(membership.organization if membership else None)


class MemberFilter(django_filters.ModelChoiceFilter):
    """Filter by a person of the URL's organization; anyone else is refused with NOT_A_MEMBER."""

    field_class = _MemberFilterField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", _members_of_request)
        super().__init__(*args, **kwargs)


# -------------------------------------------------------------------- API ----


@extend_schema_field(OpenApiTypes.INT)
class MemberField(serializers.PrimaryKeyRelatedField):
    """A person by id; only members of the URL's organization (serializer context) are accepted."""

    default_error_messages = {"does_not_exist": NOT_A_MEMBER, "incorrect_type": NOT_A_MEMBER}

    def __init__(self, **kwargs):
        kwargs.pop("queryset", None)
        super().__init__(**kwargs)

    def get_queryset(self):
        return members_of(self.context.get("organization"))


class MemberEmailField(serializers.SlugRelatedField):
    """A person by e-mail; only members of the URL's organization are accepted."""

    default_error_messages = {"does_not_exist": NOT_A_MEMBER, "invalid": NOT_A_MEMBER}

    def __init__(self, **kwargs):
        kwargs.pop("queryset", None)
        super().__init__(slug_field="email", **kwargs)

    def get_queryset(self):
        return members_of(self.context.get("organization"))

    def to_internal_value(self, data):
        return super().to_internal_value(str(data).strip().lower() if isinstance(data, str) else data)
