"""Pages of the CSF profile: the profile (pictures, progress, every outcome),
an outcome's page, its POST actions, the tiers, the target's sign-off, and the
profile in and out of spreadsheets."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core.actions import ActionView, SignOffView
from core.downloads import download
from core.history import history_entries
from core.imports import ImportFlowView, ImportPreview
from core.mixins import OrgViewMixin
from core.permissions import signing_role
from core.roles import Perm, Role
from core.selectors import signoff_panel
from core.tabular import Sheet, csv_file, xlsx_file

from ..evidence.levels import lowered_note, outcome_evidence
from ..models import CsfFunction, Risk
from ..soa.selectors import controls_for_outcome
from . import charts, importing, rules, selectors, services
from .forms import AssessForm, OutcomeRisksForm, OutcomeTargetForm, ProfileFilterForm, TiersForm
from .services import TARGET_PURPOSE


class ProfileMixin(OrgViewMixin):
    required_perm = Perm.PROFILE_VIEW
    post_perm = Perm.PROFILE_EDIT

    def get_profile(self):
        return services.profile_get_or_create(organization=self.organization)

    def functions(self, profile):
        return list(CsfFunction.objects.filter(catalogue_id=profile.catalogue_id).order_by("order"))

    def page_url(self) -> str:
        return reverse("profile:page", args=[self.organization.slug])


def _my_column(user, organization) -> str | None:
    role = signing_role(user, organization)
    return {Role.CIO: "cio_level", Role.CISO: "ciso_level"}.get(role)


def _halves(rows: list) -> list[tuple[str, list]]:
    """The category bars in two columns, each with its figure id."""
    middle = (len(rows) + 1) // 2
    return [("profile-categories-1", rows[:middle]), ("profile-categories-2", rows[middle:])]


def _can_assess(outcome, column) -> bool:
    if column is None or not outcome.in_scope:
        return False
    lens = outcome.owner_lens
    return lens == "joint" or (lens == "it") == (column == "cio_level")


class ProfilePageView(ProfileMixin, TemplateView):
    """The profile: the progress figure, current against target per function and
    per category, and every outcome grouped by function and category."""

    template_name = "risks/profile/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        profile = self.get_profile()  # first: creating it (once) changes the organization's data
        functions = self.functions(profile)
        form = ProfileFilterForm(self.request.GET or None, functions=functions)
        filters = form.cleaned_data if form.is_valid() else {}
        page = selectors.profile_page(self.request.user, self.organization, profile, filters=filters)
        column = _my_column(self.request.user, self.organization) if self.can(Perm.PROFILE_EDIT) else None
        for group in page.groups:
            for category in group.categories:
                for outcome in category.outcomes:
                    outcome.can_assess = _can_assess(outcome, column)
                    outcome.my_level = getattr(outcome, column) if column else None
                    outcome.divergent = rules.diverges(
                        outcome.owner_lens, outcome.cio_level, outcome.ciso_level
                    )
        context.update(
            profile=profile,
            page=page,
            filter_form=form,
            filtered=any(filters.values()),
            function_chart=charts.bar_rows(page.function_bars),
            category_columns=_halves(charts.bar_rows(page.category_bars)),
            ticks=charts.TICKS,
            tiers=[
                (f, profile.current_tiers.get(f.code), profile.target_tiers.get(f.code)) for f in functions
            ],
            tier_labels=rules.TIER_LABELS,
            tiers_form=TiersForm(
                functions=functions,
                initial={
                    "version": profile.version,
                    **{f"current_{k}": v for k, v in profile.current_tiers.items()},
                    **{f"target_{k}": v for k, v in profile.target_tiers.items()},
                },
            ),
            can_edit=self.can(Perm.PROFILE_EDIT),
            levels=rules.LEVEL_LABELS,
            signoff=signoff_panel(
                subject=profile,
                purpose=TARGET_PURPOSE,
                user=self.request.user,
                title="Joint sign-off of the target profile",
            ),
            history=history_entries(profile, limit=10),
        )
        return context


class OutcomeMixin(ProfileMixin):
    def get_outcome(self):
        return selectors.outcome_detail(self.request.user, self.organization, self.kwargs["pk"])


class OutcomeDetailView(OutcomeMixin, TemplateView):
    template_name = "risks/profile/outcome.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        outcome = self.get_outcome()
        column = _my_column(self.request.user, self.organization) if self.can(Perm.PROFILE_EDIT) else None
        can_see_risks = self.can(Perm.RISK_VIEW)
        context.update(
            outcome=outcome,
            sub=outcome.subcategory,
            category=outcome.subcategory.category,
            can_edit=self.can(Perm.PROFILE_EDIT),
            can_assess=_can_assess(outcome, column),
            can_see_risks=can_see_risks,
            divergent=rules.diverges(outcome.owner_lens, outcome.cio_level, outcome.ciso_level),
            levels=rules.LEVEL_LABELS,
            # Evidence behind the current level (risks.evidence): expired, it lowers the level.
            level_note=lowered_note(outcome),
            counted_label=rules.LEVEL_LABELS.get(outcome.counted_level, ""),
            evidence=list(outcome_evidence(self.request.user, self.organization, outcome.subcategory)[:50]),
            can_add_evidence=self.can(Perm.EVIDENCE_ADD),
            mapped_controls=controls_for_outcome(self.organization, outcome.subcategory)
            if can_see_risks
            else [],
            target_form=OutcomeTargetForm(
                initial={
                    "version": outcome.version,
                    "in_scope": outcome.in_scope,
                    "scope_reason": outcome.scope_reason,
                    "owner_lens": outcome.owner_lens,
                    "target_level": outcome.target_level,
                    "notes": outcome.notes,
                }
            ),
            assess_form=AssessForm(
                initial={"version": outcome.version, "level": getattr(outcome, column) if column else None}
            ),
            risks_form=OutcomeRisksForm(
                risks=Risk.objects.visible_to(self.request.user).filter(organization=self.organization),
                initial={"risks": list(outcome.risks.all())},
            )
            if can_see_risks
            else None,
            history=history_entries(outcome, limit=15),
        )
        return context


class OutcomeActionView(OutcomeMixin, ActionView):
    """A POST on one outcome; back to its page (or to the profile, ``back=profile``)."""

    def get_success_url(self, result=None) -> str:
        if self.request.POST.get("back") == "profile":
            return self.page_url() + f"#outcome-{self.kwargs['pk']}"
        return reverse("profile:outcome", args=[self.organization.slug, self.kwargs["pk"]])


class OutcomeTargetView(OutcomeActionView):
    form_class = OutcomeTargetForm
    success_message = "The outcome is saved."

    def perform(self, form):
        data = form.cleaned_data
        return services.outcome_update(
            actor=self.request.user,
            outcome=self.get_outcome(),
            expected_version=data["version"],
            **{
                name: data[name]
                for name in ("in_scope", "scope_reason", "owner_lens", "target_level", "notes")
            },
        )


class OutcomeAssessView(OutcomeActionView):
    form_class = AssessForm

    def perform(self, form):
        return services.outcome_assess(
            actor=self.request.user,
            outcome=self.get_outcome(),
            level=form.cleaned_data["level"],
            expected_version=form.cleaned_data["version"],
        )

    def get_success_message(self, outcome) -> str:
        return (
            f"{outcome.subcategory.code} assessed: {rules.LEVEL_LABELS[outcome.current_level].lower()} now."
        )


class OutcomeRisksView(OutcomeActionView):
    def get_form(self):
        return OutcomeRisksForm(
            self.request.POST,
            risks=Risk.objects.visible_to(self.request.user).filter(organization=self.organization),
        )

    success_message = "The linked risks are saved."

    def perform(self, form):
        return services.outcome_set_risks(
            actor=self.request.user, outcome=self.get_outcome(), risks=list(form.cleaned_data["risks"])
        )


class TiersView(ProfileMixin, ActionView):
    success_message = "The tiers are saved."

    def get_form(self):
        return TiersForm(self.request.POST, functions=self.functions(self.get_profile()))

    def perform(self, form):
        return services.profile_set_tiers(
            actor=self.request.user,
            profile=self.get_profile(),
            expected_version=form.cleaned_data["version"],
            current_tiers=form.tiers("current"),
            target_tiers=form.tiers("target"),
        )

    def get_success_url(self, result=None) -> str:
        return self.page_url() + "#tiers"


class ProfileSignOffView(SignOffView, ProfileMixin):
    """``profile/sign/`` and ``profile/withdraw/``: the joint sign-off of the target profile."""

    purpose = TARGET_PURPOSE

    def get_subject(self):
        return self.get_profile()

    def get_success_url(self, result=None) -> str:
        return self.page_url() + "#signoff"


class ExportView(ProfileMixin, View):
    """The whole profile as CSV or XLSX (the columns the import reads back)."""

    def get(self, request, org, fmt):
        outcomes = selectors.outcome_list(request.user, self.organization).prefetch_related("risks")
        rows = importing.export_rows(outcomes, include_risks=self.can(Perm.RISK_VIEW))
        name = f"{self.organization.slug}-csf-profile-{timezone.localdate():%Y-%m-%d}.{fmt}"
        if fmt == "csv":
            file = csv_file(importing.EXPORT_HEADERS, rows, name)
        else:
            file = xlsx_file(
                [Sheet("CSF profile", importing.EXPORT_HEADERS, rows, widths=importing.WIDTHS)], name
            )
        return download(request, self.organization, file, what="CSF profile")


class ImportView(ProfileMixin, ImportFlowView):
    """The profile's targets, scope, notes and one's own assessments from a spreadsheet."""

    template_name = "risks/profile/import.html"
    preview_template = "risks/profile/partials/import_preview.html"
    columns_template = "risks/profile/partials/import_columns.html"
    import_key = "csf_profile"
    import_perm = Perm.PROFILE_EDIT
    required_headers = importing.REQUIRED_HEADERS
    max_rows = importing.MAX_ROWS
    file_help = "Use the columns of the profile export; one row per subcategory."
    confirm_note = (
        "A change of scope, owner or target level changes the target profile: its sign-offs are voided. "
        "Your own assessment is taken from the column of your role."
    )

    def check(self, rows):
        self.get_profile()
        parsed, errors = importing.parse_rows(rows, self.organization, self.request.user)
        versions = {p.code: p.version for p in parsed}
        return ImportPreview(rows=parsed, errors=errors, state={"versions": versions})

    def write(self, rows, state):
        parsed, errors = importing.parse_rows(rows, self.organization, self.request.user)
        if errors:
            from core.errors import ImportFailed

            raise ImportFailed(errors)
        result = services.outcomes_import(
            actor=self.request.user,
            organization=self.organization,
            rows=parsed,
            versions=state.get("versions"),
        )
        return f"Import done: {result.updated} outcomes updated, {result.unchanged} unchanged."

    def get_success_url(self):
        return self.page_url()
