"""The API side of every joint decision: ``POST <resource>/<id>/sign/`` and
``POST <resource>/<id>/withdraw/``, one permission (``Perm.SIGN``, which also
asks for the token's ``sign`` scope and, for a session, a recent second factor).

A view set of a joint decision's subject inherits ``SignOffViewSetMixin``
first, names the registered ``signoff_purpose`` and ``signoff_response``
(the serializer its answer uses), and answers with ``signoff_answer``::

    class ProposalViewSet(SignOffViewSetMixin, OrgScopedModelViewSet):
        signoff_purpose = SIGNOFF_PURPOSE
        signoff_response = BudgetProposalDetailSerializer

        def signoff_answer(self, subject, result):
            return self._answer(subject)

The part is given through the decision's ``sign`` / ``withdraw`` registered in
``core.joint`` (the owning app's services), exactly as the pages do.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.decorators import action

from .. import joint
from ..errors import DomainError
from ..roles import Perm
from ..services import sign_as_read
from .base import SignRequestSerializer
from .errors import ERROR_RESPONSES


class SignOffViewSetMixin:
    signoff_purpose = ""
    signoff_response = None  # the serializer of the answer (for the OpenAPI schema)
    signoff_label = "the decision"  # words for the schema's summaries

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.signoff_purpose:
            return
        cls.action_perms = {**getattr(cls, "action_perms", {}), "sign": Perm.SIGN, "withdraw": Perm.SIGN}
        extend_schema_view(
            sign=extend_schema(
                summary=f"Sign {cls.signoff_label} in my own capacity (CIO or CISO)",
                request=SignRequestSerializer,
                responses={200: cls.signoff_response, **ERROR_RESPONSES},
                examples=[
                    OpenApiExample("Approve", request_only=True, value={"decision": "approve", "comment": ""})
                ],
            ),
            withdraw=extend_schema(
                summary=f"Withdraw my sign-off on {cls.signoff_label}",
                request=None,
                responses={200: cls.signoff_response, **ERROR_RESPONSES},
            ),
        )(cls)

    def get_signoff_subject(self):
        return self.get_object()

    def signoff_answer(self, subject, result):
        raise NotImplementedError

    def _decision(self, subject) -> joint.JointDecision:
        decision = joint.lookup(subject, self.signoff_purpose)
        if decision is None or decision.withdraw is None:
            raise DomainError("This decision is not taken jointly here.")
        return decision

    @action(detail=True, methods=["post"])
    def sign(self, request, *args, **kwargs):
        payload = SignRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        subject = self.get_signoff_subject()
        fields = dict(payload.validated_data)
        result = sign_as_read(  # a change since the version read is a 409
            sign=self._decision(subject).sign,
            actor=request.user,
            subject=subject,
            read_version=fields.pop("version", None),
            **fields,
        )
        return self.signoff_answer(subject, result)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        subject = self.get_signoff_subject()
        result = self._decision(subject).withdraw(actor=request.user, subject=subject)
        return self.signoff_answer(subject, result)
