"""Pages of the ownership (RACI) matrix: the grid, its cells (HTMX), exports,
approval, and the parties and activities behind it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from core.errors import DomainError
from core.exports import export_or_queue
from core.history import history_entries
from core.mixins import OrgViewMixin, add_domain_error
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


def _activity_url(activity: RaciActivity, org: str) -> str:
    """The grid's page that shows the activity, scrolled to its row."""
    page = selectors.raci_activity_page(activity=activity)
    query = f"?page={page}" if page > 1 else ""
    return reverse("governance:raci", args=[org]) + f"{query}#activity-{activity.pk}"


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
        org = self.organization.slug
        signoff = signoff_panel(
            subject=matrix,
            purpose=APPROVAL_PURPOSE,
            user=self.request.user,
            sign_url=reverse("governance:raci_sign", args=[org]),
            withdraw_url=reverse("governance:raci_withdraw", args=[org]),
            title="Joint approval of the matrix",
            can_sign=grid.total > 0,
        )
        export_query = self.request.GET.copy()
        export_query.pop("page", None)
        context.update(
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


class RaciCellView(RaciMixin, View):
    """POST: cycle one cell's letter. HTMX gets the updated row back."""

    def post(self, request, org, activity_pk, party_pk):
        activity = get_object_or_404(
            RaciActivity.objects.visible_to(request.user), pk=activity_pk, organization=self.organization
        )
        party = get_object_or_404(
            RaciParty.objects.visible_to(request.user), pk=party_pk, organization=self.organization
        )
        letter = request.POST.get("letter")
        try:
            if letter is None:
                services.raci_cell_cycle(actor=request.user, activity=activity, party=party)
            else:
                services.raci_cell_set(actor=request.user, activity=activity, party=party, letter=letter)
        except DomainError as exc:
            if request.htmx:
                return HttpResponse(exc.message, status=400)
            messages.error(request, exc.message)
            return self.grid_url()
        if not request.htmx:
            return self.grid_url()
        row = selectors.raci_grid_row(activity=activity)
        response = render(
            request, "governance/raci/_rows.html", {"rows": [row], "org": self.organization, "can_edit": True}
        )
        response["HX-Trigger"] = "raci-changed"
        return response


class RaciSummaryFragmentView(RaciMixin, TemplateView):
    """The counters and approval badge above the grid, refreshed after each cell change."""

    template_name = "governance/raci/_summary.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = selectors.raci_summary(self.organization)
        return context


class RaciExportView(RaciMixin, View):
    """The matrix (with the grid's filters) as XLSX or PDF; a large matrix is
    prepared by the background worker (core/exports.py)."""

    def get(self, request, org, fmt):
        filters = _grid_filters(request)
        parameters = {name: filters[name] for name in ("process_area", "problem", "search", "filtered")}
        key = export_jobs.RACI_XLSX if fmt == "xlsx" else export_jobs.RACI_PDF
        return export_or_queue(request, self.organization, key=key, parameters=parameters)


class RaciTemplateApplyView(RaciMixin, View):
    def post(self, request, org):
        try:
            added = services.raci_apply_template(actor=request.user, organization=self.organization)
        except DomainError as exc:
            messages.error(request, exc.message)
            return self.grid_url()
        if added:
            messages.success(
                request,
                f"Added {added} standard activities with their default owners. "
                "Adjust the letters to how your organization works.",
            )
        else:
            messages.info(request, "Every standard activity is already in your matrix.")
        return self.grid_url()


class RaciSignView(RaciMixin, View):
    post_perm = Perm.SIGN
    step_up_required = True

    def post(self, request, org):
        try:
            services.raci_sign(
                actor=request.user,
                organization=self.organization,
                decision=request.POST.get("decision", "approve"),
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, "Your sign-off on the matrix is recorded.")
        except DomainError as exc:
            messages.error(request, exc.message)
        return self.grid_url()


class RaciWithdrawView(RaciMixin, View):
    post_perm = Perm.SIGN
    step_up_required = True

    def post(self, request, org):
        try:
            services.raci_withdraw(actor=request.user, organization=self.organization)
            messages.success(request, "Your sign-off is withdrawn.")
        except DomainError as exc:
            messages.error(request, exc.message)
        return self.grid_url()


# ----------------------------------------------------------------- parties ---


class PartyListView(RaciMixin, FormView):
    template_name = "governance/raci/party_list.html"
    form_class = PartyForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.organization}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parties"] = selectors.raci_party_list(organization=self.organization, user=self.request.user)
        context["can_edit"] = self.can(Perm.RACI_EDIT)
        return context

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            party = services.raci_party_create(
                actor=self.request.user, organization=self.organization, **data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Party “{party.name}” added as a new column of the matrix.")
        return redirect("governance:raci_parties", org=self.organization.slug)


class PartyEditView(RaciMixin, FormView):
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

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.raci_party_update(
                actor=self.request.user,
                party=self.object,
                expected_version=form.cleaned_data.get("version"),
                **data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Party saved.")
        return redirect("governance:raci_parties", org=self.organization.slug)


class PartyDeleteView(RaciMixin, TemplateView):
    required_perm = Perm.RACI_EDIT
    template_name = "governance/raci/confirm_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        party = get_object_or_404(RaciParty, pk=self.kwargs["pk"], organization=self.organization)
        context.update(
            object=party, kind="party", cells=party.assignments.count(), cancel_url="governance:raci_parties"
        )
        return context

    def post(self, request, org, pk):
        party = get_object_or_404(RaciParty, pk=pk, organization=self.organization)
        services.raci_party_delete(actor=request.user, party=party)
        messages.success(request, f"Party “{party.name}” and its column removed.")
        return redirect("governance:raci_parties", org=org)


# -------------------------------------------------------------- activities ---


class ActivityCreateView(RaciMixin, FormView):
    required_perm = Perm.RACI_EDIT
    template_name = "governance/raci/activity_form.html"
    form_class = ActivityForm

    def get_initial(self):
        return {"process_area": self.request.GET.get("area") or "governance"}

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            activity = services.raci_activity_create(
                actor=self.request.user, organization=self.organization, **data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"“{activity.name}” added. Click its cells to assign R, A, C or I.")
        return redirect(_activity_url(activity, self.organization.slug))


class ActivityEditView(RaciMixin, FormView):
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

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            activity = services.raci_activity_update(
                actor=self.request.user,
                activity=self.object,
                expected_version=form.cleaned_data.get("version"),
                **data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Activity saved.")
        return redirect(_activity_url(activity, self.organization.slug))


class ActivityDeleteView(RaciMixin, TemplateView):
    required_perm = Perm.RACI_EDIT
    template_name = "governance/raci/confirm_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity = get_object_or_404(RaciActivity, pk=self.kwargs["pk"], organization=self.organization)
        context.update(
            object=activity, kind="activity", cells=activity.assignments.count(), cancel_url="governance:raci"
        )
        return context

    def post(self, request, org, pk):
        activity = get_object_or_404(RaciActivity, pk=pk, organization=self.organization)
        services.raci_activity_delete(actor=request.user, activity=activity)
        messages.success(request, f"Activity “{activity.name}” removed from the matrix.")
        return redirect("governance:raci", org=org)
