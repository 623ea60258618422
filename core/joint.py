"""The registry of joint decisions: every decision the CIO and the CISO make
together (risk acceptance, agreed assessment, budget submission, intake
decision, RACI approval, and any future one).

Each app registers its decisions in ``<app>/joint_decisions.py`` (found by
``CoreConfig.ready()`` the way the admin finds ``admin.py``)::

    from core.joint import joint_decision

    joint_decision(model="budgets.proposal", purpose="submission", label="Budget submission",
                   sign=lambda *, actor, subject, decision, comment: proposal_sign(...),
                   is_complete=lambda proposal: proposal.status not in EDITABLE_STATUSES)

``core.services.signoff_sign`` refuses a purpose that is not registered, so a
new joint decision cannot skip the registry, and the separation-of-duties
tests walk every registered decision (tests/core/test_joint_decisions.py).

- ``sign(actor=, subject=, decision=, comment=)`` gives the actor's part
  through the owning app's service, exactly as the page and the API do.
- ``is_complete(subject)`` tells whether the decision was taken. A role change
  voids the person's part only in decisions still in flight: a decision taken
  while they held the role stays on record.
- ``withdraw(actor=, subject=)`` withdraws the actor's own part (decisions
  taken with sign-offs). With ``page_url(subject)`` (the subject's page) and
  ``api_url(subject)`` (its API resource), the decision gets the same
  ``sign/`` and ``withdraw/`` URLs as every other, below those two
  (``core.actions.SignOffView`` for pages, ``core.api.signoff.SignOffViewSetMixin``
  for the API).
- ``url(subject)`` gives the path of the subject's page for the links in
  notifications (core.notifications); it defaults to ``page_url``, and without
  either they link to the organization.
- ``withdraw_person(organization=, user=, role=, reason=)`` withdraws the
  person's part given outside the sign-off table (e.g. a proposed agreed
  assessment) when their role changes; sign-offs are voided by core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JointDecision:
    model: str  # "app_label.modelname", lower case
    purpose: str
    label: str
    sign: Callable
    is_complete: Callable
    uses_signoffs: bool = True
    withdraw_person: Callable | None = None
    withdraw: Callable | None = None
    page_url: Callable | None = None
    api_url: Callable | None = None
    url: Callable | None = None  # subject -> path of its page (links in notifications)


_REGISTRY: dict[tuple[str, str], JointDecision] = {}


def model_label(model_or_instance) -> str:
    meta = model_or_instance._meta.concrete_model._meta
    return f"{meta.app_label}.{meta.model_name}"


def joint_decision(
    *,
    model: str,
    purpose: str,
    label: str,
    sign: Callable,
    is_complete: Callable | None = None,
    uses_signoffs: bool = True,
    withdraw_person: Callable | None = None,
    withdraw: Callable | None = None,
    page_url: Callable | None = None,
    api_url: Callable | None = None,
    url: Callable | None = None,
) -> JointDecision:
    """Register one joint decision (idempotent: re-registering replaces it)."""
    model = model.lower()
    if is_complete is None:
        from .selectors import is_jointly_approved

        def is_complete(subject, _purpose=purpose):
            return is_jointly_approved(subject, _purpose)

    decision = JointDecision(
        model=model,
        purpose=purpose,
        label=label,
        sign=sign,
        is_complete=is_complete,
        uses_signoffs=uses_signoffs,
        withdraw_person=withdraw_person,
        withdraw=withdraw,
        page_url=page_url,
        api_url=api_url,
        url=url or page_url,
    )
    _REGISTRY[(model, purpose)] = decision
    return decision


def lookup(subject_or_model, purpose: str) -> JointDecision | None:
    return _REGISTRY.get((model_label(subject_or_model), purpose))


def lookup_label(model: str, purpose: str) -> JointDecision | None:
    return _REGISTRY.get((model.lower(), purpose))


def registered() -> list[JointDecision]:
    return sorted(_REGISTRY.values(), key=lambda d: (d.model, d.purpose))


def signed_off() -> list[JointDecision]:
    """The decisions taken with sign-offs, each with its ``sign/`` and ``withdraw/`` URLs."""
    return [d for d in registered() if d.uses_signoffs and d.withdraw is not None]


def signoff_urls(subject, purpose: str) -> tuple[str, str]:
    """The page URLs to sign and to withdraw ``subject``'s decision ``purpose``."""
    decision = lookup(subject, purpose)
    if decision is None or decision.page_url is None:
        raise LookupError(f"No joint decision {purpose!r} with a page for {model_label(subject)}.")
    base = decision.page_url(subject)
    return f"{base}sign/", f"{base}withdraw/"
