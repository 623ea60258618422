"""Base classes for org-scoped API views under /api/v1/orgs/<org_slug>/."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from ..concurrency import VERSION_MISSING, parse_version
from ..errors import DomainError
from ..validation import is_one_line_field, text_problem, validate_one_line, validate_text
from .permissions import OrgRolePermission

ORG_SLUG_PARAMETER = OpenApiParameter(
    "org_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The organization's short name (slug)."
)


class OrgScopedViewSetMixin:
    """Resolves the organization from the URL, checks the role table, and starts
    every queryset from the model's ``visible_to`` chokepoint.

    Subclasses set ``view_perm`` (needed to see anything) and ``action_perms``
    (action name → permission). ``self.organization`` is set before any handler.
    """

    permission_classes = [OrgRolePermission]
    view_perm = None
    action_perms: dict = {}
    organization = None
    membership = None

    def base_queryset(self):
        model = self.queryset.model if self.queryset is not None else self.model
        return model.objects.visible_to(self.request.user).filter(organization=self.organization)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return (
                self.queryset.model.objects.none() if self.queryset is not None else self.model.objects.none()
            )
        return self.base_queryset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_version_input(request, versioned=self.versioned_writes())
        check_text_input(request, model=self.queryset.model if self.queryset is not None else None)

    def versioned_writes(self) -> bool:
        """Whether PUT/PATCH here edit a versioned record (one with a ``version``)."""
        model = self.queryset.model if self.queryset is not None else getattr(self, "model", None)
        return model is not None and any(f.name == "version" for f in model._meta.concrete_fields)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        guard_serializer_text(serializer)
        return serializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["organization"] = self.organization
        return context


def guard_serializer_text(serializer) -> None:
    """Refuse NUL and control characters in the serializer's writable text
    fields (one-line fields refuse line breaks and tabs too)."""
    target = getattr(serializer, "child", serializer)
    fields = getattr(target, "fields", None)
    if fields is None:
        return
    for field in fields.values():
        if field.read_only or not isinstance(field, serializers.CharField):
            continue
        if isinstance(field, (serializers.EmailField, serializers.URLField, serializers.RegexField)):
            continue
        validator = validate_one_line if is_one_line_field(field) else validate_text
        if validator not in field.validators:
            field.validators = [*field.validators, validator]


def _one_line_model_field(model, name: str) -> bool:
    from django.db import models

    try:
        field = model._meta.get_field(name) if model is not None else None
    except Exception:
        return False
    return isinstance(field, models.CharField)


def _strings(value, path: str):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in list(value.items())[:10_000]:
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value[:10_000]):
            yield from _strings(item, f"{path}[{index}]")


def check_text_input(request, *, model) -> None:
    """Every text a write sends is checked before any serializer or service sees
    it: NUL and control characters are refused (line breaks and tabs only in
    free text; a model's CharField is one line). 400 naming each field."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    data = request.data
    errors: dict[str, list[str]] = {}
    items = data.items() if isinstance(data, dict) else [("items", data)] if isinstance(data, list) else []
    for key, value in items:
        one_line = isinstance(value, str) and _one_line_model_field(model, key)
        for path, text in _strings(value, str(key)):
            problem = text_problem(text, one_line=one_line)
            if problem:
                errors.setdefault(path, []).append(f"This field {problem}")
    if errors:
        raise ValidationError(errors)


def check_version_input(request, *, versioned: bool) -> None:
    """No silent last-write-wins: a PUT or PATCH of a versioned record must send
    the ``version`` it read, and a ``version`` sent anywhere must be a version
    number. Both answer 400 naming ``version``."""
    if "version" in request.query_params:
        parse_version(request.query_params["version"])
    if request.method not in ("PUT", "PATCH", "POST", "DELETE"):
        return
    data = request.data
    sent = isinstance(data, dict) and "version" in data and data["version"] not in (None, "")
    if sent:
        parse_version(data["version"])
    elif versioned and request.method in ("PUT", "PATCH"):
        raise DomainError(VERSION_MISSING, field="version")


class OrgScopedViewSet(OrgScopedViewSetMixin, viewsets.GenericViewSet):
    pass


class OrgScopedModelViewSet(
    OrgScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    pass


class ErrorSerializer(serializers.Serializer):
    """The API's one error shape."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class VersionedSerializerMixin(serializers.Serializer):
    """Adds ``version``: send back the version you read; a stale one answers 409."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=(
            "The version you last read. If someone changed the record since, the update is refused with 409."
        ),
    )


class SignOffSerializer(serializers.Serializer):
    role = serializers.CharField(read_only=True)
    signer = serializers.CharField(source="signer.email", read_only=True)
    decision = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)
    signed_at = serializers.DateTimeField(read_only=True)
    subject_version = serializers.IntegerField(read_only=True)
    state = serializers.ChoiceField(
        choices=["in_force", "voided", "withdrawn"],
        read_only=True,
        help_text="in_force; voided (the signed record changed after signing: see voided_at, void_reason); "
        "withdrawn (by the signer, at voided_at).",
    )
    voided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    void_reason = serializers.CharField(read_only=True)


class SignRequestSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject"], default="approve")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version of the record you reviewed; if it changed since, the sign-off is refused (409).",
    )


__all__ = [
    "ORG_SLUG_PARAMETER",
    "ErrorSerializer",
    "OrgScopedModelViewSet",
    "OrgScopedViewSet",
    "OrgScopedViewSetMixin",
    "SignOffSerializer",
    "SignRequestSerializer",
    "VersionedSerializerMixin",
    "extend_schema",
]
