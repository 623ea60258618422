from django.urls import path

from . import views

urlpatterns = [
    path("intake/", views.IntakeListView.as_view(), name="intake_list"),
    path("intake/new/", views.IntakeCreateView.as_view(), name="intake_create"),
    path("intake/settings/", views.IntakeSettingsView.as_view(), name="intake_settings"),
    path("intake/<int:pk>/", views.IntakeDetailView.as_view(), name="intake_detail"),
    path("intake/<int:pk>/edit/", views.IntakeEditView.as_view(), name="intake_edit"),
    path("intake/<int:pk>/review/", views.StartReviewView.as_view(), name="intake_start_review"),
    path("intake/<int:pk>/ask/", views.RequestInfoView.as_view(), name="intake_request_info"),
    path("intake/<int:pk>/comment/", views.CommentView.as_view(), name="intake_comment"),
    path("intake/<int:pk>/options/", views.OptionAddView.as_view(), name="intake_option_add"),
    path(
        "intake/<int:pk>/options/<int:item>/delete/",
        views.OptionDeleteView.as_view(),
        name="intake_option_delete",
    ),
    path("intake/<int:pk>/conditions/", views.ConditionAddView.as_view(), name="intake_condition_add"),
    path(
        "intake/<int:pk>/conditions/<int:item>/delete/",
        views.ConditionDeleteView.as_view(),
        name="intake_condition_delete",
    ),
    path(
        "intake/<int:pk>/conditions/<int:item>/met/",
        views.ConditionMetView.as_view(),
        name="intake_condition_met",
    ),
    path("intake/<int:pk>/propose/", views.ProposeView.as_view(), name="intake_propose"),
    path("intake/<int:pk>/sign/", views.SignView.as_view(), name="intake_sign"),
    path("intake/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="intake_withdraw"),
    path("intake/<int:pk>/risks/", views.CreateRiskView.as_view(), name="intake_create_risk"),
]
