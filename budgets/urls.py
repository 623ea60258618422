"""Budget pages, mounted at /o/<org>/budget/ (namespace "budgets")."""

from django.urls import path

from core.actions import signoff_paths

from .views import gaps as gap_views
from .views import items as item_views
from .views import pages as views

app_name = "budgets"

urlpatterns = [
    path("", views.ProposalListView.as_view(), name="proposal_list"),
    path("new/", views.ProposalCreateView.as_view(), name="proposal_create"),
    path("<int:pk>/", views.ProposalDetailView.as_view(), name="proposal_detail"),
    path("<int:pk>/edit/", views.ProposalEditView.as_view(), name="proposal_edit"),
    path("<int:pk>/delete/", views.ProposalDeleteView.as_view(), name="proposal_delete"),
    path("<int:pk>/step/<slug:action>/", views.ProposalTransitionView.as_view(), name="proposal_transition"),
    path(
        "<int:pk>/decision/<slug:decision>/", views.ProposalDecisionView.as_view(), name="proposal_decision"
    ),
    *signoff_paths("<int:pk>/", views.ProposalSignOffView, name="proposal"),
    path("<int:pk>/export.xlsx", views.ProposalXlsxView.as_view(), name="proposal_xlsx"),
    path("<int:pk>/proposal.pdf", views.ProposalPdfView.as_view(), name="proposal_pdf"),
    path("<int:pk>/items/add/", item_views.ItemCreateView.as_view(), name="item_create"),
    path("mitigation-choices/", item_views.MitigationChoicesView.as_view(), name="mitigation_choices"),
    path("items/<int:pk>/", item_views.ItemDetailView.as_view(), name="item_detail"),
    path("items/<int:pk>/risk-choices/", item_views.RiskChoicesView.as_view(), name="risk_choices"),
    path("items/<int:pk>/edit/", item_views.ItemEditView.as_view(), name="item_edit"),
    path("items/<int:pk>/row/", item_views.ItemRowView.as_view(), name="item_row"),
    path("items/<int:pk>/delete/", item_views.ItemDeleteView.as_view(), name="item_delete"),
    path("items/<int:pk>/options/add/", item_views.OptionCreateView.as_view(), name="option_create"),
    path("items/<int:pk>/risks/add/", item_views.LinkCreateView.as_view(), name="link_create"),
    path("options/<int:pk>/edit/", item_views.OptionEditView.as_view(), name="option_edit"),
    path("options/<int:pk>/choose/", item_views.OptionChooseView.as_view(), name="option_choose"),
    path("options/<int:pk>/delete/", item_views.OptionDeleteView.as_view(), name="option_delete"),
    path("items/<int:pk>/gaps/add/", gap_views.GapLinkCreateView.as_view(), name="gap_link_create"),
    path("gap-links/<int:pk>/delete/", gap_views.GapLinkDeleteView.as_view(), name="gap_link_delete"),
    path("unfunded-gaps/", gap_views.UnfundedGapsView.as_view(), name="unfunded_gaps"),
    path("risk-links/<int:pk>/edit/", item_views.LinkEditView.as_view(), name="link_edit"),
    path("risk-links/<int:pk>/delete/", item_views.LinkDeleteView.as_view(), name="link_delete"),
]
