"""The CSF profile's progress in each row of a person's portfolio
(core.portfolio): the same figure as the profile page and the dashboard."""

from __future__ import annotations

from django.urls import reverse

from core.portfolio import register_figure

from . import selectors


def progress_figure(organization, user) -> dict | None:
    progress = selectors.profile_progress_for(user, organization)
    if progress is None or progress.percent is None:
        return None
    return {
        "text": f"{progress.percent}% of target met",
        "url": reverse("profile:page", args=[organization.slug]),
    }


register_figure("profile", "CSF profile", progress_figure)
