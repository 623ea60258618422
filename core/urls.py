"""Pages under /o/<org>/ that belong to core (people and settings)."""

from django.urls import path

from . import (
    converters,  # noqa: F401  (registers <org:...>)
    export_views,
    headline_views,
    invitation_views,
    organization_views,
    views,
)
from .notifications import views as notification_views
from .security import audit_views
from .security import views as security_views

app_name = "core"

urlpatterns = [
    path("o/<org:org>/", views.OrgHomeView.as_view(), name="org_home"),
    path("o/<org:org>/welcome/", views.OverviewView.as_view(), name="overview"),
    path("o/<org:org>/people/", views.MembersView.as_view(), name="members"),
    path("o/<org:org>/people/<int:pk>/role/", views.MemberRoleView.as_view(), name="member_role"),
    path("o/<org:org>/people/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="member_remove"),
    path(
        "o/<org:org>/people/hand-over/<str:role>/",
        views.MemberHandOverView.as_view(),
        name="member_hand_over",
    ),
    path(
        "o/<org:org>/people/<int:pk>/unlock/",
        security_views.MemberUnlockView.as_view(),
        name="member_unlock",
    ),
    path(
        "o/<org:org>/people/invitations/<int:pk>/cancel/",
        invitation_views.InvitationCancelView.as_view(),
        name="invitation_cancel",
    ),
    path("o/<org:org>/settings/", views.OrgSettingsView.as_view(), name="org_settings"),
    path(
        "o/<org:org>/settings/headline-kpis/",
        headline_views.HeadlineKpisView.as_view(),
        name="org_headline_kpis",
    ),
    path("o/<org:org>/settings/lifecycle/", organization_views.LifecycleView.as_view(), name="org_lifecycle"),
    path(
        "o/<org:org>/settings/lifecycle/export.json",
        organization_views.LifecycleExportView.as_view(),
        name="org_lifecycle_export",
    ),
    path("o/<org:org>/settings/archive/", organization_views.ArchiveView.as_view(), name="org_archive"),
    path("o/<org:org>/settings/restore/", organization_views.RestoreView.as_view(), name="org_restore"),
    path(
        "o/<org:org>/settings/deletion/request/",
        organization_views.DeletionRequestView.as_view(),
        name="org_deletion_request",
    ),
    path(
        "o/<org:org>/settings/deletion/confirm/",
        organization_views.DeletionConfirmView.as_view(),
        name="org_deletion_confirm",
    ),
    path(
        "o/<org:org>/settings/deletion/cancel/",
        organization_views.DeletionCancelView.as_view(),
        name="org_deletion_cancel",
    ),
    path("o/<org:org>/audit/", audit_views.AuditView.as_view(), name="audit"),
    path("o/<org:org>/audit/export.<str:fmt>", audit_views.AuditExportView.as_view(), name="audit_export"),
    path("o/<org:org>/exports/<int:pk>/", export_views.ExportJobView.as_view(), name="export_job"),
    path(
        "o/<org:org>/exports/<int:pk>/progress/",
        export_views.ExportJobProgressView.as_view(),
        name="export_job_progress",
    ),
    path(
        "o/<org:org>/exports/<int:pk>/download/",
        export_views.ExportJobDownloadView.as_view(),
        name="export_job_download",
    ),
    path(
        "o/<org:org>/notifications/preferences/",
        notification_views.PreferencesView.as_view(),
        name="notification_preferences",
    ),
    path(
        "o/<org:org>/notifications/chat/",
        notification_views.ChatChannelsView.as_view(),
        name="chat_channels",
    ),
    path(
        "o/<org:org>/notifications/chat/<int:pk>/edit/",
        notification_views.ChatChannelEditView.as_view(),
        name="chat_channel_edit",
    ),
    path(
        "o/<org:org>/notifications/chat/<int:pk>/test/",
        notification_views.ChatChannelActionView.as_view(action="test"),
        name="chat_channel_test",
    ),
    path(
        "o/<org:org>/notifications/chat/<int:pk>/enable/",
        notification_views.ChatChannelActionView.as_view(action="enable"),
        name="chat_channel_enable",
    ),
    path(
        "o/<org:org>/notifications/chat/<int:pk>/delete/",
        notification_views.ChatChannelActionView.as_view(action="delete"),
        name="chat_channel_delete",
    ),
    path(
        "o/<org:org>/notifications/deliveries/",
        notification_views.DeliveryLogView.as_view(),
        name="notification_deliveries",
    ),
    path("notifications/", notification_views.InboxView.as_view(), name="notifications"),
    path("notifications/bell/", notification_views.BellView.as_view(), name="notifications_bell"),
    path("notifications/read-all/", notification_views.ReadAllView.as_view(), name="notifications_read_all"),
    path("notifications/<int:pk>/", notification_views.OpenView.as_view(), name="notification_open"),
    path("notifications/<int:pk>/read/", notification_views.MarkView.as_view(), name="notification_read"),
    path(
        "notifications/<int:pk>/unread/",
        notification_views.MarkView.as_view(read=False),
        name="notification_unread",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        notification_views.UnsubscribeView.as_view(),
        name="notifications_unsubscribe",
    ),
    path(
        "accounts/calendar/new/", notification_views.CalendarTokenView.as_view(), name="calendar_token_create"
    ),
    path(
        "accounts/calendar/off/",
        notification_views.CalendarTokenView.as_view(revoke=True),
        name="calendar_token_revoke",
    ),
    path("calendar/<str:token>.ics", notification_views.CalendarFeedView.as_view(), name="calendar_feed"),
    path("", views.HomeView.as_view(), name="home"),
    path(
        "organizations/new/", organization_views.OrganizationCreateView.as_view(), name="organization_create"
    ),
    path(
        "organizations/archived/",
        organization_views.ArchivedOrganizationsView.as_view(),
        name="organizations_archived",
    ),
    path("no-organization/", views.NoOrganizationView.as_view(), name="no_organization"),
    path("accounts/profile/", views.ProfileView.as_view(), name="profile"),
    path("invitations/<str:token>/", invitation_views.InvitationView.as_view(), name="invitation"),
    path("accounts/invitations/", invitation_views.MyInvitationsView.as_view(), name="my_invitations"),
    path(
        "accounts/invitations/<int:pk>/accept/",
        invitation_views.MyInvitationAnswerView.as_view(answer="accept"),
        name="my_invitation_accept",
    ),
    path(
        "accounts/invitations/<int:pk>/decline/",
        invitation_views.MyInvitationAnswerView.as_view(answer="decline"),
        name="my_invitation_decline",
    ),
    path("accounts/tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
    path("accounts/two-factor/set-up/", security_views.MfaSetupView.as_view(), name="mfa_setup"),
    path("accounts/two-factor/verify/", security_views.MfaVerifyView.as_view(), name="mfa_verify"),
    path(
        "accounts/two-factor/recovery-codes/",
        security_views.MfaRecoveryCodesView.as_view(),
        name="mfa_recovery_codes",
    ),
    path("accounts/two-factor/remove/", security_views.MfaRemoveView.as_view(), name="mfa_remove"),
    path("accounts/confirm/", security_views.StepUpView.as_view(), name="step_up"),
]
