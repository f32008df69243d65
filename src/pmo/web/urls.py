"""Web pages. Views translate requests into service and selector calls and render templates."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import auth_views as login_views
from .views import (
    account,
    changes,
    charter,
    closure,
    controls,
    documents,
    execution,
    governance,
    home,
    inbox,
    monitoring,
    plan_files,
    planning,
    portfolio,
    portfolio_dashboard,
    projects,
    resources,
    riskanalysis,
    stakeholders,
    support,
)

# Django's admin ships templates under the same registration/ names; ours are named apart.
PASSWORD_TEMPLATES = {
    "password_change": "registration/pmo_password_change_form.html",
    "password_change_done": "registration/pmo_password_change_done.html",
    "password_reset": "registration/pmo_password_reset_form.html",
    "password_reset_done": "registration/pmo_password_reset_done.html",
    "password_reset_confirm": "registration/pmo_password_reset_confirm.html",
    "password_reset_complete": "registration/pmo_password_reset_complete.html",
}

urlpatterns = [
    path("accounts/login/", login_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(template_name=PASSWORD_TEMPLATES["password_change"]),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name=PASSWORD_TEMPLATES["password_change_done"]
        ),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name=PASSWORD_TEMPLATES["password_reset"],
            email_template_name="registration/pmo_password_reset_email.txt",
            subject_template_name="registration/pmo_password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(
            template_name=PASSWORD_TEMPLATES["password_reset_done"]
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=PASSWORD_TEMPLATES["password_reset_confirm"]
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=PASSWORD_TEMPLATES["password_reset_complete"]
        ),
        name="password_reset_complete",
    ),
    path("", home.home, name="home"),
    path("my-work/", home.my_work, name="my_work"),
    path("portfolio/", home.portfolio, name="portfolio"),
    path("portfolio/intake/", portfolio.intake_list, name="intake_list"),
    path("portfolio/intake/new/", portfolio.request_create, name="request_create"),
    path("portfolio/intake/<int:request_id>/", portfolio.request_detail, name="request_detail"),
    path("portfolio/intake/<int:request_id>/edit/", portfolio.request_edit, name="request_edit"),
    path(
        "portfolio/intake/<int:request_id>/convert/",
        portfolio.request_convert,
        name="request_convert",
    ),
    path(
        "portfolio/intake/<int:request_id>/attachments/",
        portfolio.attachment_add,
        name="request_attachment_add",
    ),
    path(
        "portfolio/intake/<int:request_id>/attachments/<int:attachment_id>/",
        portfolio.attachment_download,
        name="request_attachment_download",
    ),
    path(
        "portfolio/intake/<int:request_id>/attachments/<int:attachment_id>/remove/",
        portfolio.attachment_delete,
        name="request_attachment_delete",
    ),
    path(
        "portfolio/intake/<int:request_id>/score/<int:model_id>/",
        portfolio.request_score,
        name="request_score",
    ),
    path(
        "portfolio/intake/<int:request_id>/<str:action>/",
        portfolio.request_action,
        name="request_action",
    ),
    path("portfolio/scoring/", portfolio.ranking, name="ranking"),
    path("portfolio/scoring/models/", portfolio.scoring_model_list, name="scoring_model_list"),
    path(
        "portfolio/scoring/models/new/",
        portfolio.scoring_model_edit,
        name="scoring_model_create",
    ),
    path(
        "portfolio/scoring/models/<int:model_id>/",
        portfolio.scoring_model_edit,
        name="scoring_model_edit",
    ),
    path("portfolio/goals/", portfolio.goal_list, name="goal_list"),
    path("portfolio/goals/<int:goal_id>/toggle/", portfolio.goal_toggle, name="goal_toggle"),
    path("portfolio/scenarios/", portfolio.scenario_list, name="scenario_list"),
    path("portfolio/scenarios/new/", portfolio.scenario_create, name="scenario_create"),
    path("portfolio/scenarios/compare/", portfolio.scenario_compare, name="scenario_compare"),
    path(
        "portfolio/scenarios/<int:scenario_id>/", portfolio.scenario_detail, name="scenario_detail"
    ),
    path(
        "portfolio/scenarios/<int:scenario_id>/edit/", portfolio.scenario_edit, name="scenario_edit"
    ),
    path("portfolio/scenarios/<int:scenario_id>/run/", portfolio.scenario_run, name="scenario_run"),
    path(
        "portfolio/scenarios/<int:scenario_id>/approve/",
        portfolio.scenario_approve,
        name="scenario_approve",
    ),
    path(
        "portfolio/scenarios/<int:scenario_id>/copy/", portfolio.scenario_copy, name="scenario_copy"
    ),
    path(
        "portfolio/scenarios/<int:scenario_id>/delete/",
        portfolio.scenario_delete,
        name="scenario_delete",
    ),
    path("portfolio/dashboard/", portfolio_dashboard.dashboard, name="portfolio_dashboard"),
    path(
        "portfolio/dashboard/projects/",
        portfolio_dashboard.drill_down,
        name="portfolio_drill_down",
    ),
    path("portfolio/export.xlsx", portfolio_dashboard.export_xlsx, name="portfolio_export_xlsx"),
    path(
        "portfolio/export/<str:sheet>.csv",
        portfolio_dashboard.export_csv,
        name="portfolio_export_csv",
    ),
    path("portfolio/programs/", portfolio_dashboard.program_list, name="program_list"),
    path("portfolio/programs/new/", portfolio_dashboard.program_edit, name="program_create"),
    path(
        "portfolio/programs/<int:program_id>/",
        portfolio_dashboard.program_detail,
        name="program_detail",
    ),
    path(
        "portfolio/programs/<int:program_id>/edit/",
        portfolio_dashboard.program_edit,
        name="program_edit",
    ),
    path(
        "portfolio/programs/<int:program_id>/projects/",
        portfolio_dashboard.program_projects_add,
        name="program_projects_add",
    ),
    path(
        "portfolio/programs/<int:program_id>/projects/<int:project_id>/remove/",
        portfolio_dashboard.program_project_remove,
        name="program_project_remove",
    ),
    path(
        "portfolio/programs/<int:program_id>/delete/",
        portfolio_dashboard.program_delete,
        name="program_delete",
    ),
    path("portfolio/reports/", portfolio_dashboard.pack_list, name="report_pack_list"),
    path(
        "portfolio/reports/<int:pack_id>/download/",
        portfolio_dashboard.pack_download,
        name="report_pack_download",
    ),
    path(
        "portfolio/reports/<int:pack_id>/delete/",
        portfolio_dashboard.pack_delete,
        name="report_pack_delete",
    ),
    path("pmo/", home.pmo_home, name="pmo_home"),
    path("resources/", resources.resource_pool, name="resource_pool"),
    path("resources/usage/", resources.resource_usage, name="resource_usage"),
    path("resources/forecast/", resources.capacity_forecast, name="capacity_forecast"),
    path("resources/level/", resources.leveling_together, name="leveling_together"),
    path(
        "resources/forecast/cell/",
        resources.capacity_forecast_cell,
        name="capacity_forecast_cell",
    ),
    path(
        "resources/forecast.<str:fmt>",
        resources.capacity_forecast_export,
        name="capacity_forecast_export",
    ),
    path("projects/<int:project_id>/level/", resources.leveling, name="leveling"),
    path(
        "projects/<int:project_id>/level/<int:run_id>/clear/",
        resources.leveling_clear,
        name="leveling_clear",
    ),
    path("account/", account.account, name="account"),
    path(
        "account/tokens/<int:token_id>/revoke/", account.api_token_revoke, name="api_token_revoke"
    ),
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("projects/<int:project_id>/", projects.project_detail, name="project_detail"),
    path("projects/<int:project_id>/edit/", projects.project_edit, name="project_edit"),
    path(
        "projects/<int:project_id>/stage/",
        projects.project_stage_advance,
        name="project_stage_advance",
    ),
    path("projects/<int:project_id>/members/", projects.member_add, name="member_add"),
    path(
        "projects/<int:project_id>/members/<int:user_id>/remove/",
        projects.member_remove,
        name="member_remove",
    ),
    path("projects/<int:project_id>/history/", projects.project_history, name="project_history"),
    path("projects/<int:project_id>/charter/", charter.charter_detail, name="charter_detail"),
    path("projects/<int:project_id>/charter/edit/", charter.charter_edit, name="charter_edit"),
    path(
        "projects/<int:project_id>/charter/submit/", charter.charter_submit, name="charter_submit"
    ),
    path(
        "projects/<int:project_id>/charter/decide/", charter.charter_decide, name="charter_decide"
    ),
    path(
        "projects/<int:project_id>/charter/revise/", charter.charter_revise, name="charter_revise"
    ),
    path(
        "projects/<int:project_id>/charter/versions/",
        charter.charter_versions,
        name="charter_versions",
    ),
    path(
        "projects/<int:project_id>/charter/compare/",
        charter.charter_compare,
        name="charter_compare",
    ),
    path(
        "projects/<int:project_id>/stakeholders/",
        stakeholders.stakeholder_list,
        name="stakeholder_list",
    ),
    path(
        "projects/<int:project_id>/stakeholders/new/",
        stakeholders.stakeholder_create,
        name="stakeholder_create",
    ),
    path(
        "projects/<int:project_id>/stakeholders/<int:stakeholder_id>/",
        stakeholders.stakeholder_edit,
        name="stakeholder_edit",
    ),
    path(
        "projects/<int:project_id>/stakeholders/<int:stakeholder_id>/delete/",
        stakeholders.stakeholder_delete,
        name="stakeholder_delete",
    ),
    path("projects/<int:project_id>/documents/", documents.document_list, name="document_list"),
    path(
        "projects/<int:project_id>/documents/<int:document_id>/versions/",
        documents.document_version_upload,
        name="document_version_upload",
    ),
    path(
        "projects/<int:project_id>/documents/<int:document_id>/v<int:number>/download/",
        documents.document_download,
        name="document_download",
    ),
    path(
        "projects/<int:project_id>/documents/<int:document_id>/delete/",
        documents.document_delete,
        name="document_delete",
    ),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/count/", inbox.inbox_count, name="inbox_count"),
    path("projects/<int:project_id>/changes/", changes.change_log, name="change_log"),
    path("projects/<int:project_id>/changes/new/", changes.change_create, name="change_create"),
    path(
        "projects/<int:project_id>/changes/<int:change_id>/",
        changes.change_detail,
        name="change_detail",
    ),
    path("projects/<int:project_id>/performance/", monitoring.performance, name="performance"),
    path(
        "projects/<int:project_id>/status-reports/",
        monitoring.status_report_list,
        name="status_report_list",
    ),
    path(
        "projects/<int:project_id>/status-reports/<int:report_id>/",
        monitoring.status_report_detail,
        name="status_report_detail",
    ),
    path(
        "projects/<int:project_id>/status-reports/<int:report_id>/print/",
        monitoring.status_report_print,
        name="status_report_print",
    ),
    path(
        "projects/<int:project_id>/status-reports/<int:report_id>/pdf/",
        monitoring.status_report_pdf_view,
        name="status_report_pdf",
    ),
    path("status-reports/", monitoring.status_report_overview, name="status_report_overview"),
    path("status-reports/cadences/", monitoring.cadence_list, name="cadence_list"),
    path("status-reports/rules/", monitoring.monitoring_rules, name="monitoring_rules"),
    path("performance/", monitoring.performance_rollup, name="performance_rollup"),
    path("projects/<int:project_id>/issues/", changes.issue_log, name="issue_log"),
    path("projects/<int:project_id>/issues/new/", changes.issue_edit, name="issue_create"),
    path(
        "projects/<int:project_id>/issues/<int:issue_id>/",
        changes.issue_detail,
        name="issue_detail",
    ),
    path(
        "projects/<int:project_id>/issues/<int:issue_id>/edit/",
        changes.issue_edit,
        name="issue_edit",
    ),
    path("projects/<int:project_id>/risks/", controls.risk_register, name="risk_register"),
    path(
        "projects/<int:project_id>/risk-analysis/",
        riskanalysis.risk_analysis,
        name="risk_analysis",
    ),
    path(
        "projects/<int:project_id>/risk-analysis/tasks/<int:task_id>/",
        riskanalysis.risk_analysis_task,
        name="risk_analysis_task",
    ),
    path(
        "projects/<int:project_id>/risk-analysis/risks/<int:risk_id>/",
        riskanalysis.risk_analysis_risk,
        name="risk_analysis_risk",
    ),
    path(
        "projects/<int:project_id>/risk-analysis/runs/<int:run_id>/",
        riskanalysis.risk_analysis_run,
        name="risk_analysis_run",
    ),
    path("projects/<int:project_id>/budget/", controls.budget_overview, name="budget_overview"),
    path("projects/<int:project_id>/progress/", execution.progress, name="execution_progress"),
    path("projects/<int:project_id>/costs/", execution.costs, name="execution_costs"),
    path(
        "projects/<int:project_id>/costs/<int:cost_id>/delete/",
        execution.cost_delete,
        name="execution_cost_delete",
    ),
    path(
        "projects/<int:project_id>/tasks/<int:task_id>/progress/",
        execution.task_progress,
        name="execution_task_progress",
    ),
    path(
        "projects/<int:project_id>/tasks/<int:task_id>/comments/",
        execution.task_comment,
        name="execution_task_comment",
    ),
    path("timesheets/", execution.timesheet_current, name="timesheet_current"),
    path("timesheets/approvals/", execution.timesheet_approvals, name="timesheet_approvals"),
    path(
        "timesheets/lines/<int:line_id>/correct/",
        execution.timesheet_correct,
        name="timesheet_correct",
    ),
    path("timesheets/<str:week>/", execution.timesheet_week, name="timesheet_week"),
    path("projects/<int:project_id>/quality/", controls.quality_plan, name="quality_plan"),
    path(
        "projects/<int:project_id>/communication/",
        controls.communication_plan,
        name="communication_plan",
    ),
    # <register>_create, <register>_edit and <register>_delete for the four controls registers:
    # risk_…, budget_line_…, quality_item_…, communication_item_…
    *[
        path(
            f"projects/<int:project_id>/{prefix}/{suffix}",
            view,
            {"register": name},
            name=f"{name}_{verb}",
        )
        for name, prefix in controls.REGISTER_PATHS
        for suffix, view, verb in (
            ("new/", controls.control_create, "create"),
            ("<int:item_id>/", controls.control_edit, "edit"),
            ("<int:item_id>/delete/", controls.control_delete, "delete"),
        )
    ],
    path("projects/<int:project_id>/plan/", planning.plan_table, name="plan_table"),
    path("projects/<int:project_id>/plan/rows/", planning.plan_rows, name="plan_rows"),
    path(
        "projects/<int:project_id>/plan/tasks/", planning.plan_task_create, name="plan_task_create"
    ),
    path(
        "projects/<int:project_id>/plan/tasks/<int:task_id>/",
        planning.plan_task_edit,
        name="plan_task_edit",
    ),
    path(
        "projects/<int:project_id>/plan/tasks/<int:task_id>/move/",
        planning.plan_task_move,
        name="plan_task_move",
    ),
    path(
        "projects/<int:project_id>/plan/tasks/<int:task_id>/delete/",
        planning.plan_task_delete,
        name="plan_task_delete",
    ),
    path(
        "projects/<int:project_id>/plan/links/", planning.plan_link_create, name="plan_link_create"
    ),
    path(
        "projects/<int:project_id>/plan/links/<int:link_id>/delete/",
        planning.plan_link_delete,
        name="plan_link_delete",
    ),
    path("projects/<int:project_id>/plan/schedule/", planning.plan_schedule, name="plan_schedule"),
    path("projects/<int:project_id>/plan/submit/", planning.plan_submit, name="plan_submit"),
    path("projects/<int:project_id>/plan/decide/", planning.plan_decide, name="plan_decide"),
    path("projects/<int:project_id>/plan/gantt/", planning.plan_gantt, name="plan_gantt"),
    path(
        "projects/<int:project_id>/plan/gantt.json",
        planning.plan_gantt_json,
        name="plan_gantt_json",
    ),
    path(
        "projects/<int:project_id>/plan/gantt/tasks/<int:task_id>/",
        planning.plan_gantt_drag,
        name="plan_gantt_drag",
    ),
    path(
        "projects/<int:project_id>/plan/baselines/", planning.plan_baselines, name="plan_baselines"
    ),
    path(
        "projects/<int:project_id>/plan/baselines/capture/",
        planning.baseline_capture,
        name="baseline_capture",
    ),
    path(
        "projects/<int:project_id>/plan/baselines/<int:baseline_id>/current/",
        planning.baseline_set_current,
        name="baseline_set_current",
    ),
    path(
        "projects/<int:project_id>/plan/baselines/<int:baseline_id>/delete/",
        planning.baseline_delete,
        name="baseline_delete",
    ),
    path("projects/<int:project_id>/plan/import/", plan_files.plan_import, name="plan_import"),
    path(
        "projects/<int:project_id>/plan/import/confirm/",
        plan_files.plan_import_confirm,
        name="plan_import_confirm",
    ),
    path("projects/<int:project_id>/plan/export/", plan_files.plan_export, name="plan_export"),
    path("projects/<int:project_id>/closing/", closure.closing, name="closing"),
    path(
        "projects/<int:project_id>/closing/acceptance/",
        closure.acceptance,
        name="closing_acceptance",
    ),
    path(
        "projects/<int:project_id>/closing/archives/<int:archive_id>/download/",
        closure.archive_download,
        name="closing_archive_download",
    ),
    path(
        "projects/<int:project_id>/closing/final-report.pdf",
        closure.final_report,
        name="closing_final_report",
    ),
    path("vendors/", closure.vendor_list, name="vendor_list"),
    path("vendors/<int:vendor_id>/", closure.vendor_detail, name="vendor_detail"),
    path("support/", support.support_home, name="support_home"),
    path("support/articles/new/", support.article_edit, name="support_article_create"),
    path("support/articles/<int:article_id>/", support.article_detail, name="support_article"),
    path(
        "support/articles/<int:article_id>/edit/",
        support.article_edit,
        name="support_article_edit",
    ),
    path("support/lessons/", support.lesson_list, name="support_lessons"),
    path("support/lessons/new/", support.lesson_edit, name="support_lesson_create"),
    path("support/lessons/<int:lesson_id>/edit/", support.lesson_edit, name="support_lesson_edit"),
    path("support/onboarding/", support.onboarding_list, name="support_onboarding"),
    path("support/onboarding/tracks/new/", support.track_create, name="support_track_create"),
    path(
        "support/onboarding/<int:onboarding_id>/",
        support.onboarding_detail,
        name="support_onboarding_detail",
    ),
    path("support/workload/", support.workload, name="support_workload"),
    path("governance/", governance.governance_home, name="governance_home"),
    path(
        "governance/versions/<int:version_id>/",
        governance.methodology_version,
        name="methodology_version",
    ),
    path("governance/templates/new/", governance.template_edit, name="template_create"),
    path(
        "governance/templates/<int:template_id>/",
        governance.template_detail,
        name="template_detail",
    ),
    path(
        "governance/templates/<int:template_id>/edit/",
        governance.template_edit,
        name="template_edit",
    ),
    path(
        "governance/templates/<int:template_id>/use/", governance.template_use, name="template_use"
    ),
    path("governance/reviews/", governance.review_queue, name="review_queue"),
    path("governance/compliance/", governance.compliance, name="compliance"),
    path(
        "governance/compliance.<str:fmt>",
        governance.compliance_export,
        name="compliance_export",
    ),
    path(
        "projects/<int:project_id>/gates/",
        governance.project_gate_action,
        name="project_gate_action",
    ),
]
