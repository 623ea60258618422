"""Budget API: proposals (with their workflow and summary), items, options and
risk links. Views parse, call one service or selector, and answer."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import ErrorSerializer, OrgScopedModelViewSet
from core.api.errors import ERROR_RESPONSES
from core.api.signoff import SignOffViewSetMixin
from core.errors import DomainError
from core.roles import Perm

from .. import selectors, services
from ..filters import ItemFilter, LinkFilter, OptionFilter, ProposalFilter
from ..models import SIGNOFF_PURPOSE, BudgetItem, ItemOption, ItemRiskLink, Proposal
from . import serializers as s

READ = Perm.BUDGET_VIEW_SUBMITTED
EDIT = Perm.BUDGET_EDIT
WRITE_PERMS = {"create": EDIT, "partial_update": EDIT, "destroy": EDIT}
READ_PERMS = {"list": READ, "retrieve": READ}
STALE_EXAMPLE = OpenApiExample(
    "Stale version",
    response_only=True,
    status_codes=["409"],
    value={
        "detail": "Someone else changed this record since you opened it. Reload to see their changes, then "
        "apply yours again.",
        "code": "conflict",
        "errors": {"non_field_errors": ["Someone else changed …"]},
    },
)
READ_ONLY_EXAMPLE = OpenApiExample(
    "Approved proposal",
    response_only=True,
    status_codes=["400"],
    value={
        "detail": "This proposal was approved by the board and is read-only.",
        "code": "read_only",
        "errors": {"non_field_errors": ["This proposal was approved by the board and is read-only."]},
    },
)


def _fixed(data: dict, instance, names: tuple[str, ...]) -> dict:
    """Refuse moving a row to another parent; drop unchanged parent fields."""
    for name in names:
        if name in data:
            value = data.pop(name)
            if getattr(instance, f"{name}_id") != getattr(value, "pk", value):
                raise DomainError(
                    f"The {name} of an existing record cannot change; create a new one.", field=name
                )
    return data


@extend_schema_view(
    list=extend_schema(
        summary="List budget proposals",
        description=(
            "CIO and CISO see every proposal; board members only those submitted to the board, approved or returned. "
            "Filter by status and fiscal_year."
        ),
    ),
    retrieve=extend_schema(
        summary="One proposal, with its current sign-offs",
        responses={200: s.BudgetProposalDetailSerializer, 404: ErrorSerializer},
    ),
    create=extend_schema(
        summary="Start a proposal for a fiscal year",
        request=s.BudgetProposalCreateSerializer,
        responses={201: s.BudgetProposalDetailSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Copy of last year",
                request_only=True,
                value={"fiscal_year": 2027, "copy_previous": True, "amortisation_years": 3},
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change title, summary or amortisation",
        description=("Send the `version` you read: a stale one answers 409. Any change voids the sign-offs."),
        request=s.BudgetProposalUpdateSerializer,
        responses={200: s.BudgetProposalDetailSerializer, **ERROR_RESPONSES},
        examples=[STALE_EXAMPLE, READ_ONLY_EXAMPLE],
    ),
    destroy=extend_schema(summary="Delete a draft proposal", responses={204: None, **ERROR_RESPONSES}),
)
class ProposalViewSet(SignOffViewSetMixin, OrgScopedModelViewSet):
    """Budget proposals: one per fiscal year, draft → joint review → submitted → approved / returned."""

    queryset = Proposal.objects.all()
    serializer_class = s.BudgetProposalSerializer
    signoff_purpose = SIGNOFF_PURPOSE  # sign/ and withdraw/ of the submission
    signoff_response = s.BudgetProposalDetailSerializer
    signoff_label = "the current version for submission"
    view_perm = READ
    action_perms = {
        **READ_PERMS,
        **WRITE_PERMS,
        "summary": READ,
        "start_review": EDIT,
        "back_to_draft": EDIT,
        "submit": EDIT,
        "reopen": EDIT,
        "approve": Perm.BUDGET_DECIDE,
        "return_": Perm.BUDGET_DECIDE,
    }
    filterset_class = ProposalFilter
    search_fields = ["title", "summary"]
    ordering_fields = ["fiscal_year", "status", "updated_at", "total"]
    ordering = ["-fiscal_year"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        return selectors.proposal_list(user=self.request.user, organization=self.organization).select_related(
            "organization", "submitted_by", "decided_by"
        )

    def get_serializer_class(self):
        return s.BudgetProposalDetailSerializer if self.action != "list" else s.BudgetProposalSerializer

    def _answer(self, proposal, code=status.HTTP_200_OK):
        proposal = self.get_queryset().get(pk=proposal.pk)
        return Response(
            s.BudgetProposalDetailSerializer(proposal, context=self.get_serializer_context()).data,
            status=code,
        )

    def signoff_answer(self, proposal, result):
        return self._answer(proposal)

    def create(self, request, *args, **kwargs):
        payload = s.BudgetProposalCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        proposal = services.proposal_create(
            actor=request.user, organization=self.organization, **payload.validated_data
        )
        return self._answer(proposal, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        proposal = self.get_object()
        payload = s.BudgetProposalUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version", None)
        proposal = services.proposal_update(
            actor=request.user, proposal=proposal, expected_version=version, **data
        )
        return self._answer(proposal)

    def destroy(self, request, *args, **kwargs):
        services.proposal_delete(actor=request.user, proposal=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Totals, shares, cost avoidance, return and change against last year",
        responses={200: s.BudgetSummarySerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["get"])
    def summary(self, request, *args, **kwargs):
        return Response(s.BudgetSummarySerializer(s.summary_data(self.get_object())).data)

    def _step(self, request, service):
        payload = s.BudgetStepSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        proposal = service(
            actor=request.user,
            proposal=self.get_object(),
            expected_version=payload.validated_data.get("version"),
        )
        return self._answer(proposal)

    @extend_schema(
        summary="Start the joint review (draft → joint review)",
        request=s.BudgetStepSerializer,
        responses={200: s.BudgetProposalDetailSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, *args, **kwargs):
        return self._step(request, services.proposal_start_review)

    @extend_schema(
        summary="Take back to draft (voids the sign-offs)",
        request=s.BudgetStepSerializer,
        responses={200: s.BudgetProposalDetailSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="back-to-draft")
    def back_to_draft(self, request, *args, **kwargs):
        return self._step(request, services.proposal_back_to_draft)

    @extend_schema(
        summary="Submit to the board",
        description=("Allowed once both the CIO and the CISO approved the proposal's current version."),
        request=s.BudgetStepSerializer,
        responses={200: s.BudgetProposalDetailSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Not yet signed by both",
                response_only=True,
                status_codes=["400"],
                value={
                    "detail": "Both the CIO and the CISO must approve this version before it goes to the board.",
                    "code": "not_signed",
                    "errors": {"status": ["Both the CIO and the CISO must approve …"]},
                },
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        return self._step(request, services.proposal_submit)

    @extend_schema(
        summary="Reopen a returned proposal for revision",
        request=None,
        responses={200: s.BudgetProposalDetailSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, *args, **kwargs):
        return self._answer(services.proposal_reopen(actor=request.user, proposal=self.get_object()))

    @extend_schema(
        summary="Record the board's approval (the proposal becomes read-only)",
        request=s.BudgetApproveSerializer,
        responses={200: s.BudgetProposalDetailSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        payload = s.BudgetApproveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(
            services.proposal_approve(
                actor=request.user, proposal=self.get_object(), note=payload.validated_data["note"]
            )
        )

    @extend_schema(
        summary="Record that the board returned the proposal, with the reason",
        request=s.BudgetReturnSerializer,
        responses={200: s.BudgetProposalDetailSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Return", request_only=True, value={"reason": "Cut cloud spend by 10% and resubmit."}
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, *args, **kwargs):
        payload = s.BudgetReturnSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(
            services.proposal_return(
                actor=request.user, proposal=self.get_object(), reason=payload.validated_data["reason"]
            )
        )


ITEM_EXAMPLE = OpenApiExample(
    "EDR for clinical workstations",
    request_only=True,
    value={
        "proposal": 2,
        "title": "EDR on every clinical workstation",
        "domain": "security",
        "category": "software",
        "kind": "opex",
        "amount": "132000.00",
        "priority": "must",
        "justification": "Ransomware is the top risk.",
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="List budget items",
        description=(
            "Filter by proposal, domain, category, kind, priority, has_risk; search title and justification; order "
            "by title, amount, domain, priority."
        ),
    ),
    retrieve=extend_schema(summary="One item with its derived figures"),
    create=extend_schema(
        summary="Add an item to a proposal (voids its sign-offs)",
        responses={201: s.BudgetItemSerializer, **ERROR_RESPONSES},
        examples=[ITEM_EXAMPLE],
    ),
    partial_update=extend_schema(
        summary="Change an item",
        description=(
            "Send the `version` you read: a stale one answers 409. When the item has options its amount follows "
            "the chosen option."
        ),
        responses={200: s.BudgetItemSerializer, **ERROR_RESPONSES},
        examples=[STALE_EXAMPLE, READ_ONLY_EXAMPLE],
    ),
    destroy=extend_schema(summary="Remove an item", responses={204: None, **ERROR_RESPONSES}),
)
class ItemViewSet(OrgScopedModelViewSet):
    """Items of the proposals you can see."""

    queryset = BudgetItem.objects.all()
    serializer_class = s.BudgetItemSerializer
    view_perm = READ
    action_perms = {**READ_PERMS, **WRITE_PERMS}
    filterset_class = ItemFilter
    search_fields = ["title", "justification"]
    ordering_fields = ["title", "amount", "domain", "priority_rank", "created_at"]
    ordering = ["proposal", "priority_rank", "-amount", "pk"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BudgetItem.objects.none()
        return selectors.items_with_figures(self.base_queryset().select_related("proposal"))

    def _answer(self, item, code=status.HTTP_200_OK):
        item = self.get_queryset().get(pk=item.pk)
        return Response(s.BudgetItemSerializer(item, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("version", None)
        item = services.item_create(actor=request.user, proposal=data.pop("proposal"), **data)
        return self._answer(item, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        payload = self.get_serializer(item, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = _fixed(dict(payload.validated_data), item, ("proposal",))
        version = data.pop("version", None)
        return self._answer(
            services.item_update(actor=request.user, item=item, expected_version=version, **data)
        )

    def destroy(self, request, *args, **kwargs):
        services.item_delete(actor=request.user, item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List options", description="Filter by item, proposal, is_chosen."),
    retrieve=extend_schema(summary="One option"),
    create=extend_schema(
        summary="Add an option to an item (the first one is chosen)",
        responses={201: s.BudgetOptionSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Balanced",
                request_only=True,
                value={
                    "item": 7,
                    "name": "Balanced",
                    "cost": "165000.00",
                    "timeline_weeks": 20,
                    "security_score": 4,
                    "pros": "Finds unknown devices",
                    "cons": "Needs tuning",
                },
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change an option",
        responses={200: s.BudgetOptionSerializer, **ERROR_RESPONSES},
        examples=[STALE_EXAMPLE],
    ),
    destroy=extend_schema(
        summary="Delete an option (not the chosen one while others exist)",
        responses={204: None, **ERROR_RESPONSES},
    ),
)
class OptionViewSet(OrgScopedModelViewSet):
    """Options compared for an item; exactly one is chosen and sets the item's amount."""

    queryset = ItemOption.objects.all()
    serializer_class = s.BudgetOptionSerializer
    view_perm = READ
    action_perms = {**READ_PERMS, **WRITE_PERMS, "choose": EDIT}
    filterset_class = OptionFilter
    search_fields = ["name", "pros", "cons"]
    ordering_fields = ["cost", "timeline_weeks", "security_score", "name"]
    ordering = ["item", "cost", "pk"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("version", None)
        option = services.option_create(actor=request.user, item=data.pop("item"), **data)
        return Response(
            s.BudgetOptionSerializer(option, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request, *args, **kwargs):
        option = self.get_object()
        payload = self.get_serializer(option, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = _fixed(dict(payload.validated_data), option, ("item",))
        version = data.pop("version", None)
        option = services.option_update(actor=request.user, option=option, expected_version=version, **data)
        return Response(s.BudgetOptionSerializer(option, context=self.get_serializer_context()).data)

    def destroy(self, request, *args, **kwargs):
        services.option_delete(actor=request.user, option=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Choose this option; the item's amount follows it",
        request=None,
        responses={200: s.BudgetOptionSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def choose(self, request, *args, **kwargs):
        option = services.option_choose(actor=request.user, option=self.get_object())
        return Response(s.BudgetOptionSerializer(option, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="List risk links", description="Filter by item, proposal, risk."),
    retrieve=extend_schema(summary="One risk link"),
    create=extend_schema(
        summary="Link a risk an item reduces",
        description=("`loss_before` defaults to the risk's expected annual loss in the register."),
        responses={201: s.BudgetRiskLinkSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Reduce R-001",
                request_only=True,
                value={
                    "item": 7,
                    "risk": 1,
                    "loss_after": "150000.00",
                    "note": "EDR stops most ransomware at the endpoint.",
                },
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change the losses before / after",
        responses={200: s.BudgetRiskLinkSerializer, **ERROR_RESPONSES},
    ),
    destroy=extend_schema(summary="Unlink a risk", responses={204: None, **ERROR_RESPONSES}),
)
class LinkViewSet(OrgScopedModelViewSet):
    """The risks each item reduces, with the expected annual loss before and after."""

    queryset = ItemRiskLink.objects.all()
    serializer_class = s.BudgetRiskLinkSerializer
    view_perm = READ
    action_perms = {**READ_PERMS, **WRITE_PERMS}
    filterset_class = LinkFilter
    search_fields = ["note", "risk__title", "risk__reference"]
    ordering_fields = ["loss_before", "loss_after", "created_at"]
    ordering = ["item", "-loss_before", "pk"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ItemRiskLink.objects.none()
        return self.base_queryset().select_related("risk")

    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("version", None)
        link = services.link_create(actor=request.user, item=data.pop("item"), risk=data.pop("risk"), **data)
        return Response(
            s.BudgetRiskLinkSerializer(link, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request, *args, **kwargs):
        link = self.get_object()
        payload = self.get_serializer(link, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = _fixed(dict(payload.validated_data), link, ("item", "risk"))
        version = data.pop("version", None)
        link = services.link_update(actor=request.user, link=link, expected_version=version, **data)
        return Response(s.BudgetRiskLinkSerializer(link, context=self.get_serializer_context()).data)

    def destroy(self, request, *args, **kwargs):
        services.link_delete(actor=request.user, link=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
