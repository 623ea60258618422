"""The expected-access table of the permission matrix
(tests/security/test_permission_matrix.py), derived from core.roles.

PAGES: URL name → (permission needed to open it, permission needed to submit
it — None when submitting needs the same permission, or the page takes no POST).
API_OPERATIONS: OpenAPI operationId → permission needed to call it.

Markers: PUBLIC (anyone), AUTHENTICATED (any signed-in person; their own
account), MEMBER (any member of the organization), STAFF (Django admin).
ROW_LEVEL: entries where a role holding the permission may still get 404 for
some rows (the board sees only submitted budgets and published reports, a
contributor only their own intake requests).

A new page or operation without an entry here fails the matrix test.
This table follows core.roles; tests/security/test_design_role_table.py pins
core.roles itself to DESIGN.md's role table.
"""

from core.roles import Perm as P

PUBLIC = "public"
AUTHENTICATED = "authenticated"
MEMBER = "member"
STAFF = "staff"

PAGES = {
    "core:org_home": (MEMBER, None),
    "core:overview": (MEMBER, None),
    "core:members": (P.MEMBERS_MANAGE, None),
    "core:member_role": (P.MEMBERS_MANAGE, None),
    "core:member_remove": (P.MEMBERS_MANAGE, None),
    "core:member_hand_over": (P.MEMBERS_MANAGE, None),
    "core:member_unlock": (P.MEMBERS_MANAGE, None),
    "core:invitation_cancel": (P.MEMBERS_MANAGE, None),
    "core:invitation": (PUBLIC, None),
    "core:my_invitations": (AUTHENTICATED, None),
    "core:my_invitation_accept": (AUTHENTICATED, None),
    "core:my_invitation_decline": (AUTHENTICATED, None),
    "core:org_settings": (P.ORG_SETTINGS, None),
    "core:org_headline_kpis": (P.ORG_SETTINGS, P.SIGN),
    "core:audit": (P.AUDIT_VIEW, None),
    # The life of an organization (core/organizations.py): the page for admins, CIO and CISO; each
    # step's service narrows further (archive and ask: admins; confirm: the CIO or CISO).
    "core:organization_create": (AUTHENTICATED, None),
    "core:organizations_archived": (AUTHENTICATED, None),  # only the person's own memberships
    "core:org_lifecycle": (P.ORG_SETTINGS, None),
    "core:org_lifecycle_export": (P.DASHBOARD_VIEW, None),  # the CIO and CISO: every record is theirs
    "core:org_archive": (P.ORG_SETTINGS, None),
    "core:org_restore": (P.ORG_SETTINGS, None),
    "core:org_deletion_request": (P.ORG_SETTINGS, None),
    "core:org_deletion_confirm": (P.ORG_SETTINGS, None),
    "core:org_deletion_cancel": (P.ORG_SETTINGS, None),
    # A person's organizations side by side: only what each membership shows (governance/alignment/selectors/portfolio.py).
    "portfolio:portfolio": (AUTHENTICATED, None),
    "portfolio:compare": (AUTHENTICATED, None),
    "core:audit_export": (P.AUDIT_VIEW, None),
    # A prepared export: its requester only, while they may still see what it holds (core/exports.py).
    "core:export_job": (MEMBER, None),
    "core:export_job_progress": (MEMBER, None),
    "core:export_job_download": (MEMBER, None),
    "core:home": (AUTHENTICATED, None),
    "core:no_organization": (AUTHENTICATED, None),
    "core:profile": (AUTHENTICATED, None),
    "core:token_revoke": (AUTHENTICATED, None),
    "core:mfa_setup": (AUTHENTICATED, None),
    "core:mfa_verify": (AUTHENTICATED, None),
    "core:mfa_recovery_codes": (AUTHENTICATED, None),
    "core:mfa_remove": (AUTHENTICATED, None),
    "core:step_up": (AUTHENTICATED, None),
    # Notifications (core.notifications): one's own inbox, settings and calendar; chat and delivery log
    # for the CIO and the CISO; the unsubscribe link and the calendar feed carry their own secret.
    "core:notifications": (AUTHENTICATED, None),
    "core:notifications_bell": (AUTHENTICATED, None),
    "core:notifications_read_all": (AUTHENTICATED, None),
    "core:notification_open": (AUTHENTICATED, None),
    "core:notification_read": (AUTHENTICATED, None),
    "core:notification_unread": (AUTHENTICATED, None),
    "core:notifications_unsubscribe": (PUBLIC, None),
    "core:calendar_token_create": (AUTHENTICATED, None),
    "core:calendar_token_revoke": (AUTHENTICATED, None),
    "core:calendar_feed": (PUBLIC, None),
    "core:notification_preferences": (MEMBER, None),
    "core:chat_channels": (P.SIGN, None),
    "core:chat_channel_edit": (P.SIGN, None),
    "core:chat_channel_test": (P.SIGN, None),
    "core:chat_channel_enable": (P.SIGN, None),
    "core:chat_channel_delete": (P.SIGN, None),
    "core:notification_deliveries": (P.SIGN, None),
    "risks:register": (P.RISK_VIEW, None),
    "risks:create": (P.RISK_VIEW, P.RISK_EDIT),
    "risks:heatmap": (P.RISK_VIEW, None),
    "risks:my_queue": (P.RISK_VIEW, None),
    "risks:export": (P.RISK_VIEW, None),
    "risks:import": (P.RISK_VIEW, P.RISK_EDIT),
    "risks:detail": (P.RISK_VIEW, None),
    "risks:edit": (P.RISK_VIEW, P.RISK_EDIT),
    "risks:delete": (P.RISK_VIEW, P.RISK_EDIT),
    "risks:assess": (P.RISK_VIEW, P.RISK_EDIT),
    "risks:agreement_propose": (P.RISK_VIEW, P.RISK_EDIT),
    "risks:agreement_confirm": (P.RISK_VIEW, P.RISK_EDIT),
    "risks:agreement_decline": (P.RISK_VIEW, P.RISK_EDIT),
    "risks:acceptance_request": (P.RISK_VIEW, P.RISK_EDIT),
    "risks:acceptance_sign": (P.RISK_VIEW, P.SIGN),
    "risks:acceptance_withdraw": (P.RISK_VIEW, P.SIGN),
    "risks:acceptance_cancel": (P.RISK_VIEW, P.RISK_EDIT),
    "risks:mitigation_create": (P.RISK_VIEW, P.RISK_EDIT),
    "risks:mitigation_edit": (P.RISK_VIEW, P.RISK_EDIT),
    "risks:mitigation_delete": (P.RISK_VIEW, P.RISK_EDIT),
    # Statement of applicability (risks/soa): read with the register, approve in one's own capacity.
    "soa:statement": (P.RISK_VIEW, None),
    "soa:approve": (P.RISK_VIEW, P.SIGN),
    "soa:export": (P.RISK_VIEW, None),
    "soa:import": (P.RISK_VIEW, P.RISK_EDIT),
    "soa:control": (P.RISK_VIEW, P.RISK_EDIT),
    # Evidence (risks/evidence): the page for everyone holding evidence.summary (the board: counts
    # only); pieces for evidence.add (a contributor: only their own, see ROW_LEVEL).
    "evidence:list": (P.EVIDENCE_SUMMARY, None),
    "evidence:add": (P.EVIDENCE_ADD, None),
    "evidence:export": (P.EVIDENCE_ADD, None),
    "evidence:import": (P.EVIDENCE_ADD, None),
    "evidence:detail": (P.EVIDENCE_ADD, None),
    "evidence:edit": (P.EVIDENCE_ADD, None),
    "evidence:delete": (P.EVIDENCE_ADD, None),
    "evidence:download": (P.EVIDENCE_ADD, None),
    "kpis:scorecard": (P.KPI_VIEW, None),
    "kpis:create": (P.KPI_EDIT, P.KPI_EDIT),
    "kpis:library": (P.KPI_VIEW, None),
    "kpis:library_add": (P.KPI_VIEW, P.KPI_EDIT),
    "kpis:import": (P.KPI_EDIT, P.KPI_EDIT),
    "kpis:export": (P.KPI_VIEW, None),
    "kpis:detail": (P.KPI_VIEW, None),
    "kpis:edit": (P.KPI_EDIT, P.KPI_EDIT),
    "kpis:delete": (P.KPI_EDIT, P.KPI_EDIT),
    "kpis:measurement_create": (P.KPI_EDIT, P.KPI_EDIT),
    "kpis:measurement_delete": (P.KPI_VIEW, P.KPI_EDIT),
    "budgets:proposal_list": (P.BUDGET_VIEW_SUBMITTED, None),
    "budgets:proposal_create": (P.BUDGET_EDIT, None),
    "budgets:mitigation_choices": (P.BUDGET_EDIT, None),
    "budgets:risk_choices": (P.BUDGET_EDIT, None),
    "budgets:proposal_detail": (P.BUDGET_VIEW_SUBMITTED, None),
    "budgets:proposal_edit": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:proposal_delete": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:proposal_transition": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:proposal_decision": (P.BUDGET_VIEW, P.BUDGET_DECIDE),
    "budgets:proposal_sign": (P.BUDGET_VIEW_SUBMITTED, P.SIGN),
    "budgets:proposal_withdraw": (P.BUDGET_VIEW_SUBMITTED, P.SIGN),
    "budgets:proposal_xlsx": (P.BUDGET_VIEW, None),
    "budgets:proposal_pdf": (P.BUDGET_VIEW_SUBMITTED, None),
    "budgets:item_create": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:item_detail": (P.BUDGET_VIEW_SUBMITTED, None),
    "budgets:item_edit": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:item_row": (P.BUDGET_VIEW_SUBMITTED, None),
    "budgets:item_delete": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:option_create": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:link_create": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:option_edit": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:option_choose": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:option_delete": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:link_edit": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:link_delete": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:gap_link_create": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:gap_link_delete": (P.BUDGET_EDIT, P.BUDGET_EDIT),
    "budgets:unfunded_gaps": (P.BUDGET_VIEW, None),
    # The CSF profile (risks/profile/): read by CIO, CISO and contributors; changed by CIO and CISO.
    "profile:page": (P.PROFILE_VIEW, None),
    "profile:target_sign": (P.PROFILE_VIEW, P.SIGN),
    "profile:target_withdraw": (P.PROFILE_VIEW, P.SIGN),
    "profile:tiers": (P.PROFILE_VIEW, P.PROFILE_EDIT),
    "profile:export_csv": (P.PROFILE_VIEW, None),
    "profile:export_xlsx": (P.PROFILE_VIEW, None),
    "profile:import": (P.PROFILE_EDIT, P.PROFILE_EDIT),
    "profile:outcome": (P.PROFILE_VIEW, None),
    "profile:outcome_target": (P.PROFILE_VIEW, P.PROFILE_EDIT),
    "profile:outcome_assess": (P.PROFILE_VIEW, P.PROFILE_EDIT),
    "profile:outcome_risks": (P.PROFILE_VIEW, P.PROFILE_EDIT),
    "governance:raci": (P.RACI_VIEW, None),
    "governance:raci_summary": (P.RACI_VIEW, None),
    "governance:raci_cell": (P.RACI_VIEW, P.RACI_EDIT),
    "governance:raci_export_xlsx": (P.RACI_VIEW, None),
    "governance:raci_export_pdf": (P.RACI_VIEW, None),
    "governance:raci_template": (P.RACI_VIEW, P.RACI_EDIT),
    "governance:raci_sign": (P.RACI_VIEW, P.SIGN),
    "governance:raci_withdraw": (P.RACI_VIEW, P.SIGN),
    "governance:raci_parties": (P.RACI_VIEW, P.RACI_EDIT),
    "governance:raci_party_edit": (P.RACI_EDIT, P.RACI_EDIT),
    "governance:raci_party_delete": (P.RACI_EDIT, P.RACI_EDIT),
    "governance:raci_activity_create": (P.RACI_EDIT, P.RACI_EDIT),
    "governance:raci_activity_edit": (P.RACI_EDIT, P.RACI_EDIT),
    "governance:raci_activity_delete": (P.RACI_EDIT, P.RACI_EDIT),
    "governance:intake_list": (P.INTAKE_FILE, None),
    "governance:intake_create": (P.INTAKE_FILE, None),
    "governance:intake_settings": (P.INTAKE_REVIEW, None),
    "governance:intake_detail": (P.INTAKE_FILE, None),
    "governance:intake_edit": (P.INTAKE_FILE, None),
    "governance:intake_start_review": (P.INTAKE_FILE, P.INTAKE_REVIEW),
    "governance:intake_request_info": (P.INTAKE_FILE, P.INTAKE_REVIEW),
    "governance:intake_comment": (P.INTAKE_FILE, P.INTAKE_FILE),
    "governance:intake_option_add": (P.INTAKE_FILE, P.INTAKE_REVIEW),
    "governance:intake_option_delete": (P.INTAKE_FILE, P.INTAKE_REVIEW),
    "governance:intake_condition_add": (P.INTAKE_FILE, P.INTAKE_REVIEW),
    "governance:intake_condition_delete": (P.INTAKE_FILE, P.INTAKE_REVIEW),
    "governance:intake_condition_met": (P.INTAKE_FILE, P.INTAKE_REVIEW),
    "governance:intake_propose": (P.INTAKE_FILE, P.INTAKE_REVIEW),
    "governance:intake_sign": (P.INTAKE_FILE, P.SIGN),
    "governance:intake_withdraw": (P.INTAKE_FILE, P.SIGN),
    "governance:intake_create_risk": (P.INTAKE_FILE, P.RISK_EDIT),
    "governance:dashboard": (P.DASHBOARD_VIEW, None),
    "governance:alignment_method": (P.REPORT_VIEW_PUBLISHED, None),
    "governance:report_list": (P.REPORT_VIEW_PUBLISHED, None),
    "governance:report_generate": (P.REPORT_MANAGE, P.REPORT_MANAGE),
    "governance:report_detail": (P.REPORT_VIEW_PUBLISHED, None),
    "governance:report_progress": (P.REPORT_VIEW_DRAFT, None),
    "governance:report_pdf": (P.REPORT_VIEW_PUBLISHED, None),
    "governance:report_publish": (P.REPORT_MANAGE, P.REPORT_MANAGE),
    "governance:report_rebuild": (P.REPORT_MANAGE, P.REPORT_MANAGE),
    "governance:report_delete": (P.REPORT_MANAGE, P.REPORT_MANAGE),
    "governance:report_ask_add": (P.REPORT_MANAGE, P.REPORT_MANAGE),
    "governance:report_ask": (P.REPORT_MANAGE, None),
    "governance:report_ask_sign": (P.REPORT_MANAGE, P.SIGN),
    "governance:report_ask_withdraw": (P.REPORT_MANAGE, P.SIGN),
    "governance:report_ask_remove": (P.REPORT_MANAGE, P.REPORT_MANAGE),
    "login": (PUBLIC, None),
    "logout": (PUBLIC, None),
    "password_change": (PUBLIC, None),
    "password_change_done": (PUBLIC, None),
    "password_reset": (PUBLIC, None),
    "password_reset_done": (PUBLIC, None),
    "password_reset_confirm": (PUBLIC, None),
    "password_reset_complete": (PUBLIC, None),
    "healthz": (PUBLIC, None),
    "livez": (PUBLIC, None),
}
API_OPERATIONS = {
    "me_retrieve": AUTHENTICATED,  # GET /api/v1/me/
    "orgs_list": AUTHENTICATED,  # GET /api/v1/orgs/
    "orgs_retrieve": MEMBER,  # GET /api/v1/orgs/{org_slug}/
    "orgs_partial_update": P.ORG_SETTINGS,  # PATCH /api/v1/orgs/{org_slug}/
    "orgs_create": AUTHENTICATED,  # POST /api/v1/orgs/ (or staff only: CONCORD_ORG_CREATION)
    "orgs_archive_create": P.MEMBERS_MANAGE,  # POST /api/v1/orgs/{org_slug}/archive/
    "orgs_restore_create": P.MEMBERS_MANAGE,  # POST /api/v1/orgs/{org_slug}/restore/
    "orgs_deletion_request_create": P.MEMBERS_MANAGE,  # POST /api/v1/orgs/{org_slug}/deletion/request/
    "orgs_deletion_confirm_create": P.SIGN,  # POST /api/v1/orgs/{org_slug}/deletion/confirm/ (CIO or CISO)
    "orgs_deletion_cancel_create": P.ORG_SETTINGS,  # POST /api/v1/orgs/{org_slug}/deletion/cancel/
    "instance_retrieve": AUTHENTICATED,  # GET /api/v1/instance/
    "portfolio_list": AUTHENTICATED,  # GET /api/v1/portfolio/
    "portfolio_compare_retrieve": AUTHENTICATED,  # GET /api/v1/portfolio/compare/
    "orgs_budget_items_list": P.BUDGET_VIEW_SUBMITTED,  # GET /api/v1/orgs/{org_slug}/budget/items/
    "orgs_budget_items_create": P.BUDGET_EDIT,  # POST /api/v1/orgs/{org_slug}/budget/items/
    "orgs_budget_items_retrieve": P.BUDGET_VIEW_SUBMITTED,  # GET /api/v1/orgs/{org_slug}/budget/items/{id}/
    "orgs_budget_items_partial_update": P.BUDGET_EDIT,  # PATCH /api/v1/orgs/{org_slug}/budget/items/{id}/
    "orgs_budget_items_destroy": P.BUDGET_EDIT,  # DELETE /api/v1/orgs/{org_slug}/budget/items/{id}/
    "orgs_budget_options_list": P.BUDGET_VIEW_SUBMITTED,  # GET /api/v1/orgs/{org_slug}/budget/options/
    "orgs_budget_options_create": P.BUDGET_EDIT,  # POST /api/v1/orgs/{org_slug}/budget/options/
    "orgs_budget_options_retrieve": P.BUDGET_VIEW_SUBMITTED,  # GET /api/v1/orgs/{org_slug}/budget/options/{id}/
    "orgs_budget_options_partial_update": P.BUDGET_EDIT,  # PATCH /api/v1/orgs/{org_slug}/budget/options/{id}/
    "orgs_budget_options_destroy": P.BUDGET_EDIT,  # DELETE /api/v1/orgs/{org_slug}/budget/options/{id}/
    "orgs_budget_options_choose_create": P.BUDGET_EDIT,  # POST /api/v1/orgs/{org_slug}/budget/options/{id}/choose/
    "orgs_budget_proposals_list": P.BUDGET_VIEW_SUBMITTED,  # GET /api/v1/orgs/{org_slug}/budget/proposals/
    "orgs_budget_proposals_create": P.BUDGET_EDIT,  # POST /api/v1/orgs/{org_slug}/budget/proposals/
    "orgs_budget_proposals_retrieve": P.BUDGET_VIEW_SUBMITTED,  # GET /api/v1/orgs/{org_slug}/budget/proposals/{id}/
    "orgs_budget_proposals_partial_update": P.BUDGET_EDIT,  # PATCH /api/v1/orgs/{org_slug}/budget/proposals/{id}/
    "orgs_budget_proposals_destroy": P.BUDGET_EDIT,  # DELETE /api/v1/orgs/{org_slug}/budget/proposals/{id}/
    "orgs_budget_proposals_approve_create": P.BUDGET_DECIDE,  # POST /api/v1/orgs/{org_slug}/budget/proposals/{id}/approve/
    "orgs_budget_proposals_back_to_draft_create": P.BUDGET_EDIT,  # POST /api/v1/orgs/{org_slug}/budget/proposals/{id}/back-to-draft/
    "orgs_budget_proposals_reopen_create": P.BUDGET_EDIT,  # POST /api/v1/orgs/{org_slug}/budget/proposals/{id}/reopen/
    "orgs_budget_proposals_return_create": P.BUDGET_DECIDE,  # POST /api/v1/orgs/{org_slug}/budget/proposals/{id}/return/
    "orgs_budget_proposals_sign_create": P.SIGN,  # POST /api/v1/orgs/{org_slug}/budget/proposals/{id}/sign/
    "orgs_budget_proposals_start_review_create": P.BUDGET_EDIT,  # POST /api/v1/orgs/{org_slug}/budget/proposals/{id}/start-review/
    "orgs_budget_proposals_submit_create": P.BUDGET_EDIT,  # POST /api/v1/orgs/{org_slug}/budget/proposals/{id}/submit/
    "orgs_budget_proposals_summary_retrieve": P.BUDGET_VIEW_SUBMITTED,  # GET /api/v1/orgs/{org_slug}/budget/proposals/{id}/summary/
    "orgs_budget_proposals_withdraw_create": P.SIGN,  # POST /api/v1/orgs/{org_slug}/budget/proposals/{id}/withdraw/
    "orgs_budget_risk_links_list": P.BUDGET_VIEW_SUBMITTED,  # GET /api/v1/orgs/{org_slug}/budget/risk-links/
    "orgs_budget_risk_links_create": P.BUDGET_EDIT,  # POST /api/v1/orgs/{org_slug}/budget/risk-links/
    "orgs_budget_risk_links_retrieve": P.BUDGET_VIEW_SUBMITTED,  # GET /api/v1/orgs/{org_slug}/budget/risk-links/{id}/
    "orgs_budget_risk_links_partial_update": P.BUDGET_EDIT,  # PATCH /api/v1/orgs/{org_slug}/budget/risk-links/{id}/
    "orgs_budget_risk_links_destroy": P.BUDGET_EDIT,  # DELETE /api/v1/orgs/{org_slug}/budget/risk-links/{id}/
    "orgs_dashboard_list": P.DASHBOARD_VIEW,  # GET /api/v1/orgs/{org_slug}/dashboard/
    "orgs_intake_requests_list": P.INTAKE_FILE,  # GET /api/v1/orgs/{org_slug}/intake/requests/
    "orgs_intake_requests_create": P.INTAKE_FILE,  # POST /api/v1/orgs/{org_slug}/intake/requests/
    "orgs_intake_requests_retrieve": P.INTAKE_FILE,  # GET /api/v1/orgs/{org_slug}/intake/requests/{id}/
    "orgs_intake_requests_partial_update": P.INTAKE_FILE,  # PATCH /api/v1/orgs/{org_slug}/intake/requests/{id}/
    "orgs_intake_requests_comments_list": P.INTAKE_FILE,  # GET /api/v1/orgs/{org_slug}/intake/requests/{id}/comments/
    "orgs_intake_requests_comments_create": P.INTAKE_FILE,  # POST /api/v1/orgs/{org_slug}/intake/requests/{id}/comments/
    "orgs_intake_requests_conditions_create": P.INTAKE_REVIEW,  # POST /api/v1/orgs/{org_slug}/intake/requests/{id}/conditions/
    "orgs_intake_requests_options_create": P.INTAKE_REVIEW,  # POST /api/v1/orgs/{org_slug}/intake/requests/{id}/options/
    "orgs_intake_requests_propose_create": P.INTAKE_REVIEW,  # POST /api/v1/orgs/{org_slug}/intake/requests/{id}/propose/
    "orgs_intake_requests_request_information_create": P.INTAKE_REVIEW,  # POST /api/v1/orgs/{org_slug}/intake/requests/{id}/request-information/
    "orgs_intake_requests_sign_create": P.SIGN,  # POST /api/v1/orgs/{org_slug}/intake/requests/{id}/sign/
    "orgs_intake_requests_start_review_create": P.INTAKE_REVIEW,  # POST /api/v1/orgs/{org_slug}/intake/requests/{id}/start-review/
    "orgs_intake_requests_withdraw_create": P.SIGN,  # POST /api/v1/orgs/{org_slug}/intake/requests/{id}/withdraw/
    "orgs_intake_settings_retrieve": P.INTAKE_REVIEW,  # GET /api/v1/orgs/{org_slug}/intake/settings/
    "orgs_intake_settings_partial_update": P.INTAKE_REVIEW,  # PATCH /api/v1/orgs/{org_slug}/intake/settings/
    "orgs_kpis_list": P.KPI_VIEW,  # GET /api/v1/orgs/{org_slug}/kpis/
    "orgs_kpis_create": P.KPI_EDIT,  # POST /api/v1/orgs/{org_slug}/kpis/
    "orgs_kpis_retrieve": P.KPI_VIEW,  # GET /api/v1/orgs/{org_slug}/kpis/{id}/
    "orgs_kpis_update": P.KPI_EDIT,  # PUT /api/v1/orgs/{org_slug}/kpis/{id}/
    "orgs_kpis_partial_update": P.KPI_EDIT,  # PATCH /api/v1/orgs/{org_slug}/kpis/{id}/
    "orgs_kpis_destroy": P.KPI_EDIT,  # DELETE /api/v1/orgs/{org_slug}/kpis/{id}/
    "orgs_kpis_measurements_list": P.KPI_VIEW,  # GET /api/v1/orgs/{org_slug}/kpis/measurements/
    "orgs_kpis_measurements_retrieve": P.KPI_VIEW,  # GET /api/v1/orgs/{org_slug}/kpis/measurements/{id}/
    "orgs_kpis_measurements_bulk_create": P.KPI_EDIT,  # POST /api/v1/orgs/{org_slug}/kpis/measurements/bulk/
    "orgs_kpis_scorecard_list": P.KPI_VIEW,  # GET /api/v1/orgs/{org_slug}/kpis/scorecard/
    "orgs_kpis_scorecard_summary_retrieve": P.KPI_VIEW,  # GET /api/v1/orgs/{org_slug}/kpis/scorecard/summary/
    "me_invitations_list": AUTHENTICATED,  # GET /api/v1/me/invitations/
    "me_invitations_accept_create": AUTHENTICATED,  # POST /api/v1/me/invitations/{id}/accept/
    "me_invitations_decline_create": AUTHENTICATED,  # POST /api/v1/me/invitations/{id}/decline/
    "orgs_invitations_list": P.MEMBERS_MANAGE,  # GET /api/v1/orgs/{org_slug}/invitations/
    "orgs_invitations_create": P.MEMBERS_MANAGE,  # POST /api/v1/orgs/{org_slug}/invitations/
    "orgs_invitations_retrieve": P.MEMBERS_MANAGE,  # GET /api/v1/orgs/{org_slug}/invitations/{id}/
    "orgs_invitations_destroy": P.MEMBERS_MANAGE,  # DELETE /api/v1/orgs/{org_slug}/invitations/{id}/
    "orgs_memberships_list": P.MEMBERS_MANAGE,  # GET /api/v1/orgs/{org_slug}/memberships/
    "orgs_memberships_create": P.MEMBERS_MANAGE,  # POST /api/v1/orgs/{org_slug}/memberships/
    "orgs_memberships_retrieve": P.MEMBERS_MANAGE,  # GET /api/v1/orgs/{org_slug}/memberships/{id}/
    "orgs_memberships_partial_update": P.MEMBERS_MANAGE,  # PATCH /api/v1/orgs/{org_slug}/memberships/{id}/
    "orgs_memberships_destroy": P.MEMBERS_MANAGE,  # DELETE /api/v1/orgs/{org_slug}/memberships/{id}/
    "orgs_memberships_hand_over_create": P.MEMBERS_MANAGE,  # POST /api/v1/orgs/{org_slug}/memberships/hand-over/
    "orgs_profile_list": P.PROFILE_VIEW,  # GET /api/v1/orgs/{org_slug}/profile/
    "orgs_profile_retrieve": P.PROFILE_VIEW,  # GET /api/v1/orgs/{org_slug}/profile/{id}/
    "orgs_profile_sign_create": P.SIGN,  # POST /api/v1/orgs/{org_slug}/profile/{id}/sign/
    "orgs_profile_withdraw_create": P.SIGN,  # POST /api/v1/orgs/{org_slug}/profile/{id}/withdraw/
    "orgs_profile_tiers_create": P.PROFILE_EDIT,  # POST /api/v1/orgs/{org_slug}/profile/{id}/tiers/
    "orgs_profile_outcomes_list": P.PROFILE_VIEW,  # GET /api/v1/orgs/{org_slug}/profile/outcomes/
    "orgs_profile_outcomes_retrieve": P.PROFILE_VIEW,  # GET /api/v1/orgs/{org_slug}/profile/outcomes/{id}/
    "orgs_profile_outcomes_partial_update": P.PROFILE_EDIT,  # PATCH /api/v1/orgs/{org_slug}/profile/outcomes/{id}/
    "orgs_profile_outcomes_assess_create": P.PROFILE_EDIT,  # POST .../profile/outcomes/{id}/assess/
    "orgs_profile_outcomes_risks_create": P.PROFILE_EDIT,  # POST .../profile/outcomes/{id}/risks/
    "orgs_raci_activities_list": P.RACI_VIEW,  # GET /api/v1/orgs/{org_slug}/raci/activities/
    "orgs_raci_activities_create": P.RACI_EDIT,  # POST /api/v1/orgs/{org_slug}/raci/activities/
    "orgs_raci_activities_retrieve": P.RACI_VIEW,  # GET /api/v1/orgs/{org_slug}/raci/activities/{id}/
    "orgs_raci_activities_update": P.RACI_EDIT,  # PUT /api/v1/orgs/{org_slug}/raci/activities/{id}/
    "orgs_raci_activities_partial_update": P.RACI_EDIT,  # PATCH /api/v1/orgs/{org_slug}/raci/activities/{id}/
    "orgs_raci_activities_destroy": P.RACI_EDIT,  # DELETE /api/v1/orgs/{org_slug}/raci/activities/{id}/
    "orgs_raci_activities_cell_create": P.RACI_EDIT,  # POST /api/v1/orgs/{org_slug}/raci/activities/{id}/cell/
    "orgs_raci_matrix_apply_template_create": P.RACI_EDIT,  # POST /api/v1/orgs/{org_slug}/raci/matrix/apply-template/
    "orgs_raci_matrix_sign_create": P.SIGN,  # POST /api/v1/orgs/{org_slug}/raci/matrix/{id}/sign/
    "orgs_raci_matrix_retrieve": P.RACI_VIEW,  # GET /api/v1/orgs/{org_slug}/raci/matrix/{id}/
    "orgs_raci_matrix_summary_retrieve": P.RACI_VIEW,  # GET /api/v1/orgs/{org_slug}/raci/matrix/summary/
    "orgs_raci_matrix_withdraw_create": P.SIGN,  # POST /api/v1/orgs/{org_slug}/raci/matrix/{id}/withdraw/
    "orgs_raci_parties_list": P.RACI_VIEW,  # GET /api/v1/orgs/{org_slug}/raci/parties/
    "orgs_raci_parties_create": P.RACI_EDIT,  # POST /api/v1/orgs/{org_slug}/raci/parties/
    "orgs_raci_parties_retrieve": P.RACI_VIEW,  # GET /api/v1/orgs/{org_slug}/raci/parties/{id}/
    "orgs_raci_parties_update": P.RACI_EDIT,  # PUT /api/v1/orgs/{org_slug}/raci/parties/{id}/
    "orgs_raci_parties_partial_update": P.RACI_EDIT,  # PATCH /api/v1/orgs/{org_slug}/raci/parties/{id}/
    "orgs_raci_parties_destroy": P.RACI_EDIT,  # DELETE /api/v1/orgs/{org_slug}/raci/parties/{id}/
    "orgs_board_asks_list": P.REPORT_VIEW_DRAFT,  # GET /api/v1/orgs/{org_slug}/board-asks/
    "orgs_board_asks_retrieve": P.REPORT_VIEW_DRAFT,
    "orgs_board_asks_sign_create": P.SIGN,
    "orgs_board_asks_withdraw_create": P.SIGN,
    "orgs_reports_list": P.REPORT_VIEW_PUBLISHED,  # GET /api/v1/orgs/{org_slug}/reports/
    "orgs_reports_retrieve": P.REPORT_VIEW_PUBLISHED,  # GET /api/v1/orgs/{org_slug}/reports/{id}/
    "orgs_reports_destroy": P.REPORT_MANAGE,  # DELETE /api/v1/orgs/{org_slug}/reports/{id}/
    "orgs_reports_pdf_retrieve": P.REPORT_VIEW_PUBLISHED,  # GET /api/v1/orgs/{org_slug}/reports/{id}/pdf/
    "orgs_reports_publish_create": P.REPORT_MANAGE,  # POST /api/v1/orgs/{org_slug}/reports/{id}/publish/
    "orgs_reports_generate_create": P.REPORT_MANAGE,  # POST /api/v1/orgs/{org_slug}/reports/generate/
    "orgs_risk_assessments_list": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/risk-assessments/
    "orgs_risk_assessments_retrieve": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/risk-assessments/{id}/
    "orgs_risk_catalogues_annex_a_controls_list": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/risk-catalogues/annex-a-controls/
    "orgs_risk_catalogues_csf_categories_list": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/risk-catalogues/csf-categories/
    "orgs_risk_mitigations_list": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/risk-mitigations/
    "orgs_risk_mitigations_create": P.RISK_EDIT,  # POST /api/v1/orgs/{org_slug}/risk-mitigations/
    "orgs_risk_mitigations_retrieve": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/risk-mitigations/{id}/
    "orgs_risk_mitigations_update": P.RISK_EDIT,  # PUT /api/v1/orgs/{org_slug}/risk-mitigations/{id}/
    "orgs_risk_mitigations_partial_update": P.RISK_EDIT,  # PATCH /api/v1/orgs/{org_slug}/risk-mitigations/{id}/
    "orgs_risk_mitigations_destroy": P.RISK_EDIT,  # DELETE /api/v1/orgs/{org_slug}/risk-mitigations/{id}/
    "orgs_risks_list": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/risks/
    "orgs_risks_create": P.RISK_EDIT,  # POST /api/v1/orgs/{org_slug}/risks/
    "orgs_risks_retrieve": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/risks/{id}/
    "orgs_risks_update": P.RISK_EDIT,  # PUT /api/v1/orgs/{org_slug}/risks/{id}/
    "orgs_risks_partial_update": P.RISK_EDIT,  # PATCH /api/v1/orgs/{org_slug}/risks/{id}/
    "orgs_risks_destroy": P.RISK_EDIT,  # DELETE /api/v1/orgs/{org_slug}/risks/{id}/
    "orgs_risks_acceptance_create": P.RISK_EDIT,  # POST /api/v1/orgs/{org_slug}/risks/{id}/acceptance/
    "orgs_risks_acceptance_end_create": P.RISK_EDIT,  # POST /api/v1/orgs/{org_slug}/risks/{id}/acceptance/end/
    "orgs_risks_sign_create": P.SIGN,  # POST /api/v1/orgs/{org_slug}/risks/{id}/sign/
    "orgs_risks_withdraw_create": P.SIGN,  # POST /api/v1/orgs/{org_slug}/risks/{id}/withdraw/
    "orgs_risks_agreement_create": P.RISK_EDIT,  # POST /api/v1/orgs/{org_slug}/risks/{id}/agreement/
    "orgs_risks_agreement_confirm_create": P.RISK_EDIT,  # POST /api/v1/orgs/{org_slug}/risks/{id}/agreement/confirm/
    "orgs_risks_agreement_decline_create": P.RISK_EDIT,  # POST /api/v1/orgs/{org_slug}/risks/{id}/agreement/decline/
    "orgs_risks_assessment_create": P.RISK_EDIT,  # POST /api/v1/orgs/{org_slug}/risks/{id}/assessment/
    "orgs_risks_signoffs_list": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/risks/{id}/signoffs/
    "orgs_risks_heatmap_retrieve": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/risks/heatmap/
    "orgs_risks_summary_retrieve": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/risks/summary/
    "orgs_soa_lines_list": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/soa/lines/
    "orgs_soa_lines_retrieve": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/soa/lines/{code}/
    "orgs_soa_lines_partial_update": P.RISK_EDIT,  # PATCH /api/v1/orgs/{org_slug}/soa/lines/{code}/
    "orgs_soa_lines_export_retrieve": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/soa/lines/export/
    "orgs_soa_lines_statement_retrieve": P.RISK_VIEW,  # GET /api/v1/orgs/{org_slug}/soa/lines/statement/
    "orgs_soa_lines_statement_approve_create": P.SIGN,  # POST /api/v1/orgs/{org_slug}/soa/lines/statement/approve/
    "orgs_evidence_list": P.EVIDENCE_ADD,  # GET /api/v1/orgs/{org_slug}/evidence/
    "orgs_evidence_create": P.EVIDENCE_ADD,  # POST /api/v1/orgs/{org_slug}/evidence/
    "orgs_evidence_retrieve": P.EVIDENCE_ADD,  # GET /api/v1/orgs/{org_slug}/evidence/{id}/
    "orgs_evidence_partial_update": P.EVIDENCE_ADD,  # PATCH /api/v1/orgs/{org_slug}/evidence/{id}/
    "orgs_evidence_destroy": P.EVIDENCE_ADD,  # DELETE /api/v1/orgs/{org_slug}/evidence/{id}/
    "orgs_evidence_download_retrieve": P.EVIDENCE_ADD,  # GET /api/v1/orgs/{org_slug}/evidence/{id}/download/
    "orgs_evidence_summary_retrieve": P.EVIDENCE_SUMMARY,  # GET /api/v1/orgs/{org_slug}/evidence/summary/
}

ROW_LEVEL = {
    "budgets:proposal_detail",
    "budgets:proposal_pdf",
    "budgets:item_detail",
    "budgets:item_row",
    "governance:report_detail",
    "governance:report_pdf",
    "core:export_job",
    "core:export_job_progress",
    "core:export_job_download",
    "core:notification_open",
    "core:notification_read",
    "core:notification_unread",
    "governance:intake_detail",
    "governance:intake_edit",
    "governance:intake_comment",
    "orgs_budget_items_retrieve",
    "orgs_budget_options_retrieve",
    "orgs_budget_proposals_retrieve",
    "orgs_budget_proposals_summary_retrieve",
    "orgs_budget_risk_links_retrieve",
    "orgs_reports_retrieve",
    "orgs_reports_pdf_retrieve",
    "orgs_intake_requests_retrieve",
    "orgs_intake_requests_partial_update",
    "orgs_intake_requests_comments_list",
    "orgs_intake_requests_comments_create",
    # A contributor sees only the evidence they added.
    "evidence:detail",
    "evidence:edit",
    "evidence:delete",
    "evidence:download",
    "orgs_evidence_retrieve",
    "orgs_evidence_partial_update",
    "orgs_evidence_destroy",
    "orgs_evidence_download_retrieve",
}
