"""Pages of the ownership (RACI) matrix: the grid, its cells (HTMX), exports,
approval, and the parties and activities behind it."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from core.actions import ActionView, ServiceFormMixin, SignOffView
from core.cache import DEFAULT_TIMEOUT, content_fragment_key
from core.exports import export_or_queue
from core.history import history_entries
from core.mixins import OrgViewMixin
from core.roles import Perm
from core.selectors import signoff_panel

from .. import export_jobs
from . import rules as raci_rules
from . import selectors, services
from .forms import ActivityForm, GridFilterForm, PartyForm
from .library import TEMPLATE_ACTIVITIES
from .models import RaciActivity, RaciParty
from .services import APPROVAL_PURPOSE


def _grid_filters(request) -> dict:
    form = GridFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = {
        "process_area": data.get("area", ""),
        "problem": data.get("problem", ""),
        "search": data.get("q", ""),
    }
    return {"form": form, "filtered": any(filters.values()), **filters}


def _activity_url(activity: RaciActivity, org: str, user) -> str:
    """The grid's page that shows the activity, scrolled to its row."""
    page = selectors.raci_activity_page(activity=activity, user=user)
    query = f"?page={page}" if page > 1 else ""
    return reverse("governance:raci", args=[org]) + f"{query}#activity-{activity.pk}"


def _rows_digest(grid: selectors.Grid) -> str:
    """A digest of every value governance/raci/partials/rows.html shows (parties, and per row
    the activity, its letters and its check): the key of the rendered rows. Keep in step with
    the template."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr([(party.pk, party.name) for party in grid.parties]).encode())
    for row in grid.rows:
        activity, check = row.activity, row.check
        shown = (activity.pk, activity.name, activity.process_area, activity.csf_category)
        digest.update(repr((shown, [letter for _, letter in row.cells], check.ok, check.labels)).encode())
    return digest.hexdigest()


class RaciMixin(OrgViewMixin):
    required_perm = Perm.RACI_VIEW
    post_perm = Perm.RACI_EDIT

    def grid_url(self):
        return redirect("governance:raci", org=self.organization.slug)


class RaciGridView(RaciMixin, TemplateView):
    """The grid, one page of activities at a time; the counters and the checks
    cover the whole matrix. A fixed number of queries whatever its size."""

    template_name = "governance/raci/grid.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = _grid_filters(self.request)
        # First, as creating the matrix (once) changes the organization's data and so its cached state.
        matrix = services.raci_matrix_get_or_create(organization=self.organization)
        grid = selectors.raci_grid(
            organization=self.organization,
            user=self.request.user,
            process_area=filters["process_area"],
            problem=filters["problem"],
            search=filters["search"],
            page=self.request.GET.get("page") or 1,
        )
        signoff = signoff_panel(
            subject=matrix,
            purpose=APPROVAL_PURPOSE,
            user=self.request.user,
            title="Joint approval of the matrix",
            can_sign=grid.total > 0,
        )
        export_query = self.request.GET.copy()
        export_query.pop("page", None)
        context.update(
            # The rows are cached as rendered, under what they show: a change elsewhere in the
            # organization does not render them again.
            rows_cache_key=content_fragment_key(
                self.organization.pk, self.organization.slug, self.membership.role, _rows_digest(grid)
            ),
            rows_cache_timeout=DEFAULT_TIMEOUT,
            grid=grid,
            page_obj=grid.page,
            summary=selectors.raci_grid_summary(grid, matrix, signoff["status"]),
            template_count=len(TEMPLATE_ACTIVITIES),
            filter_form=filters["form"],
            filtered=filters["filtered"],
            can_edit=self.can(Perm.RACI_EDIT),
            matrix=matrix,
            history=history_entries(matrix, limit=15),
            problem_labels=raci_rules.PROBLEM_LABELS,
            query=export_query.urlencode(),
            signoff=signoff,
        )
        return context


class RaciActionView(RaciMixin, ActionView):
    """A POST on the matrix; back to the grid."""

    def get_success_url(self, result=None) -> str:
        return reverse("governance:raci", args=[self.organization.slug])


class RaciCellView(RaciActionView):
    """POST: cycle one cell's letter. HTMX gets the updated row back."""

    htmx_template = "governance/raci/partials/rows.html"
    htmx_trigger = "raci-changed"

    def perform(self, form):
        activity = get_object_or_404(
            RaciActivity.objects.visible_to(self.request.user),
            pk=self.kwargs["activity_pk"],
            organization=self.organization,
        )
        party = get_object_or_404(
            RaciParty.objects.visible_to(self.request.user),
            pk=self.kwargs["party_pk"],
            organization=self.organization,
        )
        letter = self.request.POST.get("letter")
        if letter is None:
            services.raci_cell_cycle(actor=self.request.user, activity=activity, party=party)
        else:
            services.raci_cell_set(actor=self.request.user, activity=activity, party=party, letter=letter)
        return activity

    def get_htmx_context(self, activity) -> dict:
        row = selectors.raci_grid_row(activity=activity, user=self.request.user)
        return {"rows": [row], "org": self.organization, "can_edit": True}


class RaciSummaryFragmentView(RaciMixin, TemplateView):
    """The counters and approval badge above the grid, refreshed after each cell change."""

    template_name = "governance/raci/partials/summary.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = selectors.raci_summary(self.organization, user=self.request.user)
        return context


class RaciExportView(RaciMixin, View):
    """The matrix (with the grid's filters) as XLSX or PDF; a large matrix is
    prepared by the background worker (core/exports.py)."""

    def get(self, request, org, fmt):
        filters = _grid_filters(request)
        parameters = {name: filters[name] for name in ("process_area", "problem", "search", "filtered")}
        key = export_jobs.RACI_XLSX if fmt == "xlsx" else export_jobs.RACI_PDF
        return export_or_queue(request, self.organization, key=key, parameters=parameters)


class RaciTemplateApplyView(RaciActionView):
    def perform(self, form):
        return services.raci_apply_template(actor=self.request.user, organization=self.organization)

    def get_success_message(self, added) -> str:
        if not added:
            return "Every standard activity is already in your matrix."
        return (
            f"Added {added} standard activities with their default owners. "
            "Adjust the letters to how your organization works."
        )

    def get_message_level(self, added) -> int:
        return messages.SUCCESS if added else messages.INFO


class RaciSignOffView(SignOffView, RaciActionView):
    """``raci/sign/`` and ``raci/withdraw/``: the joint approval of the matrix."""

    purpose = APPROVAL_PURPOSE

    def get_subject(self):
        return services.raci_matrix_get_or_create(organization=self.organization)


# ----------------------------------------------------------------- parties ---


class PartyListView(ServiceFormMixin, RaciMixin, FormView):
    template_name = "governance/raci/party_list.html"
    form_class = PartyForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parties"] = selectors.raci_party_list(organization=self.organization, user=self.request.user)
        context["can_edit"] = self.can(Perm.RACI_EDIT)
        return context

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.raci_party_create(actor=self.request.user, organization=self.organization, **data)

    def get_success_message(self, party) -> str:
        return f"Party “{party.name}” added as a new column of the matrix."

    def get_success_url(self, result=None) -> str:
        return reverse("governance:raci_parties", args=[self.organization.slug])


class PartyEditView(ServiceFormMixin, RaciMixin, FormView):
    required_perm = Perm.RACI_EDIT
    template_name = "governance/raci/party_form.html"
    form_class = PartyForm

    def get_object(self):
        return get_object_or_404(
            RaciParty.objects.visible_to(self.request.user),
            pk=self.kwargs["pk"],
            organization=self.organization,
        )

    def get_form_kwargs(self):
        self.object = self.get_object()
        kwargs = {**super().get_form_kwargs(), "organization": self.organization}
        kwargs["initial"] = {
            "version": self.object.version,
            "name": self.object.name,
            "kind": self.object.kind,
            "description": self.object.description,
            "members": list(self.object.members.all()),
        }
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["party"] = self.object
        context["history"] = history_entries(self.object)
        return context

    success_message = "Party saved."

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.raci_party_update(
            actor=self.request.user,
            party=self.object,
            expected_version=form.cleaned_data.get("version"),
            **data,
        )

    def get_success_url(self, result=None) -> str:
        return reverse("governance:raci_parties", args=[self.organization.slug])


class PartyDeleteView(RaciActionView, TemplateView):
    http_method_names = TemplateView.http_method_names
    required_perm = Perm.RACI_EDIT
    template_name = "governance/raci/confirm_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        party = get_object_or_404(RaciParty, pk=self.kwargs["pk"], organization=self.organization)
        context.update(
            object=party, kind="party", cells=party.assignments.count(), cancel_url="governance:raci_parties"
        )
        return context

    def perform(self, form):
        party = get_object_or_404(RaciParty, pk=self.kwargs["pk"], organization=self.organization)
        services.raci_party_delete(actor=self.request.user, party=party)
        return party

    def get_success_message(self, party) -> str:
        return f"Party “{party.name}” and its column removed."

    def get_success_url(self, result=None) -> str:
        return reverse("governance:raci_parties", args=[self.organization.slug])


# -------------------------------------------------------------- activities ---


class ActivityCreateView(ServiceFormMixin, RaciMixin, FormView):
    required_perm = Perm.RACI_EDIT
    template_name = "governance/raci/activity_form.html"
    form_class = ActivityForm

    def get_initial(self):
        return {"process_area": self.request.GET.get("area") or "governance"}

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.raci_activity_create(actor=self.request.user, organization=self.organization, **data)

    def get_success_message(self, activity) -> str:
        return f"“{activity.name}” added. Click its cells to assign R, A, C or I."

    def get_success_url(self, activity=None) -> str:
        return _activity_url(activity, self.organization.slug, self.request.user)


class ActivityEditView(ServiceFormMixin, RaciMixin, FormView):
    required_perm = Perm.RACI_EDIT
    template_name = "governance/raci/activity_form.html"
    form_class = ActivityForm

    def get_form_kwargs(self):
        self.object = get_object_or_404(
            RaciActivity.objects.visible_to(self.request.user),
            pk=self.kwargs["pk"],
            organization=self.organization,
        )
        kwargs = super().get_form_kwargs()
        kwargs["initial"] = {
            "version": self.object.version,
            "name": self.object.name,
            "process_area": self.object.process_area,
            "csf_category": self.object.csf_category,
            "description": self.object.description,
        }
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["activity"] = self.object
        context["history"] = history_entries(self.object)
        return context

    success_message = "Activity saved."

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.raci_activity_update(
            actor=self.request.user,
            activity=self.object,
            expected_version=form.cleaned_data.get("version"),
            **data,
        )

    def get_success_url(self, activity=None) -> str:
        return _activity_url(activity, self.organization.slug, self.request.user)


class ActivityDeleteView(RaciActionView, TemplateView):
    http_method_names = TemplateView.http_method_names
    required_perm = Perm.RACI_EDIT
    template_name = "governance/raci/confirm_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity = get_object_or_404(RaciActivity, pk=self.kwargs["pk"], organization=self.organization)
        context.update(
            object=activity, kind="activity", cells=activity.assignments.count(), cancel_url="governance:raci"
        )
        return context

    def perform(self, form):
        activity = get_object_or_404(RaciActivity, pk=self.kwargs["pk"], organization=self.organization)
        services.raci_activity_delete(actor=self.request.user, activity=activity)
        return activity

    def get_success_message(self, activity) -> str:
        return f"Activity “{activity.name}” removed from the matrix."
