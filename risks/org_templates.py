"""How a new organization starts its CSF profile (core.org_templates): the
starter profile (every CSF 2.0 outcome in scope, each at its default owner and a
"largely implemented" target), or the scope, owners, targets and tiers of the
profile of another organization its creator leads. The target is a starting
point, not a decision: it is unsigned until the new CIO and CISO sign it. No
assessment, evidence or linked risk is ever copied."""

from __future__ import annotations

from core.org_templates import register_library

from .profile import services


def starter(*, organization) -> int:
    return services.profile_get_or_create(organization=organization).outcomes.count()


def copy(*, source, organization) -> int:
    return services.profile_copy_targets(source=source, organization=organization).outcomes.count()


register_library("csf_profile", label="the CSF profile", starter=starter, copy=copy, order=30)
