"""Which rule each policy key expresses: key prefix → rule IDs (docs/rules.md, "Policy keys").

``tests/policy_lab/test_rule_keys.py`` keeps this table and the catalogue's keys column in
agreement both ways. A prefix is dotted; a segment may name one entry of a list of tables by
its identity (``penalties.catalogue[visit_report_late]``). The longest matching prefix wins, so
a finer entry (``penalties.catalogue.supervisor_factor`` → PEN-8) refines a coarser one.
"""

from __future__ import annotations

import re

RULE_KEYS: dict[str, tuple[str, ...]] = {
    # X — cross-cutting
    "calendar.timezone": ("X-1",),
    "calendar.business_day_start": ("X-1",),
    "calendar.business_day_end": ("X-1",),
    "calendar.extra_closed_days": ("X-1",),
    "calendar.extra_working_days": ("X-1",),
    "authority.levels": ("X-3",),
    "permissions.actions": ("X-3", "X-4", "X-5", "PEN-2", "CRD-6", "VIS-1"),
    "permissions.max_signatures_per_person": ("X-3",),
    "confidentiality.levels": ("X-5",),
    "customers.retention.customer_file_years": ("X-6",),
    "bounds.earliest_date": ("X-8",),
    "bounds.latest_date": ("X-8",),
    # CUS
    "customers.registration.daily_register_due": ("CUS-1",),
    "customers.registration.daily_register_exception_until": ("CUS-1",),
    "customers.registers.positions": ("CUS-1",),
    "scheduler.jobs.registers_overdue": ("CUS-1",),
    "customers.files": ("CUS-3",),
    "scheduler.jobs.files_overdue": ("CUS-3",),
    "customers.grading": ("CUS-4",),
    "cases.priority_by_grade": ("CUS-4",),
    "cases.default_priority": ("CUS-4",),
    "customers.key_accounts.min_grade": ("CUS-5",),
    "customers.key_accounts.top_n": ("CUS-5",),
    "customers.key_accounts.churn_without_orders": ("CUS-5",),
    "customers.deregistration.steps": ("CUS-6",),
    "customers.lending.return_working_days": ("CUS-7",),
    "customers.registers.late_appraisal_points": ("CUS-7",),
    # CASE
    "cases.channels": ("CASE-1",),
    "cases.demands": ("CASE-1",),
    "cases.types": ("CASE-2",),
    "cases.categories": ("CASE-2",),
    "cases.non_acceptance_grounds": ("CASE-3",),
    "cases.major_reasons": ("CASE-4",),
    "cases.major_loss_above": ("CASE-4",),
    "cases.urgencies": ("CASE-4",),
    "cases.major_notify_roles": ("CASE-5",),
    "cases.escalation_steps": ("CASE-6",),
    "cases.clocks": ("CASE-7", "CASE-15"),
    "cases.due_soon_hours": ("CASE-7",),
    "cases.markets": ("CASE-7",),
    "cases.default_market": ("CASE-7",),
    "cases.complaint_form": ("CASE-7",),
    "cases.remedies": ("CASE-8",),
    "cases.approval_thresholds": ("CASE-8",),
    "cases.top_approval_role": ("CASE-8",),
    "cases.remedy_approval_roles": ("CASE-8",),
    "cases.rejections_until_major": ("CASE-9",),
    "cases.failed_contacts_to_close": ("CASE-9",),
    "cases.return_visit": ("CASE-9",),
    "cases.causes": ("CASE-10",),
    "cases.capa_due_working_days": ("CASE-11",),
    "cases.capa_required_categories": ("CASE-11",),
    "service_jobs": ("CASE-12",),
    "settlement.kinds": ("CASE-13",),
    "settlement.over_quantity_percent": ("CASE-13",),
    "settlement.exchange_steps": ("CASE-14",),
    # PEN
    "penalties.catalogue": ("PEN-1",),
    "penalties.catalogue.repeat": ("PEN-2",),
    "penalties.catalogue.repeat_issue_factor": ("PEN-2",),
    "penalties.catalogue.region_head_factor": ("PEN-2",),
    "penalties.catalogue.recurs_until_corrected": ("PEN-3",),
    "penalties.catalogue.correction_working_days": ("PEN-3",),
    "penalties.catalogue.supervisor_factor": ("PEN-8",),
    "penalties.catalogue.group_leader_if_no_culprit": ("PEN-8",),
    "penalties.catalogue.amount_max": ("PEN-9",),
    "penalties.catalogue.recommends": ("PEN-9",),
    "penalties.catalogue.cites_access_log": ("PEN-9",),
    "penalties.catalogue[customer_data_leak]": ("PEN-1", "PEN-9"),
    "penalties.catalogue[visit_report_late]": ("PEN-1", "VIS-2"),
    "penalties.repeat_rules": ("PEN-2",),
    "penalties.performance_cut_min_percent": ("PEN-4",),
    "penalties.performance_cut_max_percent": ("PEN-4",),
    "penalties.complaint_cap_percent": ("PEN-6",),
    "penalties.sanctions": ("PEN-7",),
    "penalties.settlement_day": ("PEN-10",),
    # CRD
    "credit.eligibility.file_item": ("CRD-1",),
    "credit.eligibility.contract_types": ("CRD-1",),
    "credit.eligibility.settlement_agreement_required": ("CRD-1",),
    "credit.eligibility.last_year_balance_zero": ("CRD-1",),
    "credit.line_rule": ("CRD-2",),
    "credit.window_days": ("CRD-2",),
    "credit.fixed_lines": ("CRD-2",),
    "credit.over_limit.divisor": ("CRD-3",),
    "credit.over_limit.first_role": ("CRD-3",),
    "credit.over_limit.last_role": ("CRD-3",),
    "credit.collection.signer_share_percent": ("CRD-4",),
    "scheduler.jobs.credit_month_end": ("CRD-4",),
    "credit.liability.within_line": ("CRD-5",),
    "credit.liability.unapproved": ("CRD-5",),
    # VIS
    "visits.plan_due_days_before_month": ("VIS-1",),
    "visits.report_due_working_days": ("VIS-2",),
    "visits.follow_up_working_days": ("VIS-2",),
    "scheduler.jobs.visit_reports_late": ("VIS-2",),
    "visits.frequency": ("VIS-3",),
    "visits.coverage_target_percent": ("VIS-4",),
    "visits.coverage_statuses": ("VIS-4",),
    "visits.purposes": ("VIS-5",),
    "visits.outcomes": ("VIS-5",),
    "confidentiality.levels.visit_record": ("VIS-5",),
    "visits.care.holidays": ("VIS-6",),
    "visits.care.remind_days_before": ("VIS-6",),
    "visits.care.greet_statuses": ("VIS-6",),
    "visits.care.birthdays": ("VIS-6",),
    # SAT
    "service_jobs.survey_items": ("SAT-1",),
    "service_jobs.survey_levels": ("SAT-1",),
    "surveys.job_satisfied_levels": ("SAT-1",),
    "surveys.levels": ("SAT-2",),
    "surveys.satisfied_levels": ("SAT-2",),
    "surveys.surveys_per_year": ("SAT-2",),
    "surveys.distribution_min_percent": ("SAT-2",),
    "surveys.collection_days": ("SAT-2",),
    "surveys.return_rate_min_percent": ("SAT-2",),
    "surveys.statistics_days": ("SAT-2",),
    "surveys.reply_days": ("SAT-2",),
    "surveys.day_unit": ("SAT-2",),
    "surveys.target_percent": ("SAT-3",),
    "surveys.case_type": ("SAT-3",),
    "surveys.case_category": ("SAT-3",),
    "surveys.case_channel": ("SAT-3",),
}


_SEGMENT = re.compile(r'"[^"]*"(?:\[[^\]]*\])?|[^.]+')


def _segments(path: str) -> list[str]:
    """Dotted segments; a quoted key (``permissions.actions."cases.approve"``) is one."""
    return _SEGMENT.findall(path)


def _matches(prefix: list[str], path: list[str]) -> bool:
    """``catalogue`` matches ``catalogue[file_late]``; ``catalogue[x]`` matches only itself."""
    if len(prefix) > len(path):
        return False
    for want, have in zip(prefix, path, strict=False):
        if want != have and not (("[" not in want) and have.split("[", 1)[0] == want):
            return False
    return True


def rules_for(path: str) -> tuple[str, ...]:
    """The rule IDs a changed key concerns: those of the longest matching prefix (X-7: a
    change names the rule it changes); () for a key no rule names (e.g. scheduler batches)."""
    segments = _segments(path)
    best: tuple[int, int] = (-1, 0)
    found: tuple[str, ...] = ()
    for prefix, rules in RULE_KEYS.items():
        want = _segments(prefix)
        if _matches(want, segments):
            # more segments first, then the one naming a list entry
            rank = (len(want), prefix.count("["))
            if rank > best:
                best, found = rank, rules
    return found
