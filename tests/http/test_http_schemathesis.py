"""schemathesis over the whole API (issue 8): every operation of the OpenAPI document, a
bounded number of generated requests each, all checks — no 5xx, responses conform to the
document (status codes, content types, schemas), schema-valid requests are not refused for
their shape and schema-invalid ones are refused — and every refused request leaves the store
exactly as it was (X-8).

The app is the in-process WSGI app over the memory adapter with a little seeded data (a
customer, a case, a file, a service job), authenticated as the GM; paths with those ids use
the seeded ids, so the operations behind them run for real.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from adapters.bootstrap import App, MemoryStorage
from adapters.http import create_app
from csd_support import Org
from csdomain.cases.commands import ReceiveCase
from csdomain.customers.commands import RegisterCustomer
from csdomain.service_jobs.commands import RegisterJob

MAX_EXAMPLES = 6  # per operation and generation mode: the whole test stays well under 2 min


def _seed(app: App, org: Org) -> dict[str, str]:
    """A customer with a file, a case on it and a service job; their ids by parameter."""
    s = app.services
    customer = s.customers.register(
        org.sales.id, RegisterCustomer(name="施密特", phone="13800138000")
    )
    file = s.customers.open_file(org.sales.id, customer.id, "new_sale", date(2026, 9, 1))
    case = s.cases.receive(
        org.sales.id,  # the customer's owner may name the customer by id
        ReceiveCase(
            type="complaint",
            category="product_quality",
            channel="phone",
            content="the machine stopped",
            customer_id=customer.id,
        ),
    )
    job = s.service_jobs.register(
        org.service.id,
        RegisterJob(
            customer_name="施密特",
            address="1 Road",
            zone="city",
            work_type="C",
            description="noise",
        ),
    )
    return {
        "path.customer_id": customer.id,
        "path.file_id": file.id,
        "path.case_id": case.id,
        "path.job_id": job.id,
        "path.staff_id": org.sales.id,
        "path.department_id": org.sales.department_id or "",
    }


@pytest.fixture
def served(app: App, org: Org) -> tuple[Flask, App, str, dict[str, str]]:
    ids = _seed(app, org)
    token = app.services.org.issue_token(org.admin.id, org.gm.id, "schemathesis")
    return create_app(app), app, token, ids


# Rules between fields that JSON Schema cannot state (a 422 for schema-valid input is right):
# (operation, the field the problem names)
CROSS_FIELD = {
    # RPT: the types are the policy's catalogue, comma-separated; an ISO year has week 53
    # only when it is long
    ("GET /api/v1/reports/complaints", "types"),
    ("GET /api/v1/reports/complaints/weekly", "types"),
    ("GET /api/v1/reports/complaints/weekly", "week"),
    # CASE-9: the satisfaction scale is the policy's (cases.return_visit)
    ("POST /api/v1/cases/{case_id}/return-visit", "satisfaction"),
    # CUS-1: a register is for a working day (the calendar); reports span at most 92 days
    ("POST /api/v1/registers", "day"),
    ("GET /api/v1/registers", "end"),
    ("GET /api/v1/registers/overdue", "end"),
    ("POST /api/v1/contracts", "ends_on"),  # CASE-12: ends after it starts
    ("GET /api/v1/technicians/{technician_id}/survey-summary", "end"),  # not before start
    ("GET /api/v1/service-jobs/survey-summary", "end"),
    # If-Match and expected_version, when both given, must agree
    ("POST /api/v1/customers/{customer_id}/transfer", "expected_version"),
    ("POST /api/v1/customers/{customer_id}/grade-changes", "expected_version"),
    ("PATCH /api/v1/customers/{customer_id}", "expected_version"),
    ("POST /api/v1/customers", "intermediary"),  # CUS-1: a name only for an intermediary
    ("POST /api/v1/cases/{case_id}/closure", "responsibilities"),  # CASE-10: shares sum to 100
    ("POST /api/v1/cases/{case_id}/settlements", "quantity_returned"),  # CASE-13: ≤ claimed
    # CUS-1: whether digits form a real phone number is libphonenumber's knowledge of each
    # country's numbering plan, not a pattern
    ("GET /api/v1/customers", "q"),  # a search is not combined with the list's filters
    ("POST /api/v1/customers", "phone"),
    ("PATCH /api/v1/customers/{customer_id}", "phone"),
    # CUS-1: a PRC resident ID's birth date and check character
    ("POST /api/v1/customers", "id_number"),
    ("PATCH /api/v1/customers/{customer_id}", "id_number"),
    # CRD-3: a shipment is decided on its day, not ahead; a signed over-limit one needs a reason
    ("POST /api/v1/credit/shipments", "on"),
    ("POST /api/v1/credit/shipments", "reason"),
    # CRD-1: credit refused, naming the failing conditions of the customer's file and contract
    ("POST /api/v1/credit/accounts", "customer_id"),
    # CRD-4: only a month that is over; CRD-5: within the balance, by the policy's positions
    ("POST /api/v1/credit/month-end", "month"),
    ("POST /api/v1/credit/write-offs", "amount"),
    ("POST /api/v1/credit/write-offs", "liable"),
    ("POST /api/v1/credit/write-offs", "shipment_id"),
    # VIS-1: plans for this month or later (the clock); a returned plan says why
    ("POST /api/v1/visit-plans", "month"),
    ("POST /api/v1/visit-plans/{plan_id}/decision", "note"),
    # VIS-2: a visit is reported after it happened (the clock); VIS-4/6: end not before start
    ("POST /api/v1/visits", "on"),
    ("GET /api/v1/visits/reports/coverage", "end"),
    ("GET /api/v1/visits/care", "end"),
    # SAT-2: a survey goes to active customers in the creator's scope (stored state), its
    # period ends after it starts, customers or a share (not both); an answer comes from a
    # customer asked, within the collection window (the clock); the reply after the statistics
    ("POST /api/v1/surveys", "customer_ids"),
    ("POST /api/v1/surveys", "period_end"),
    ("POST /api/v1/surveys", "distribute_percent"),
    ("POST /api/v1/surveys/{survey_id}/responses", "on"),
    ("POST /api/v1/surveys/{survey_id}/responses", "customer_id"),
    ("POST /api/v1/surveys/{survey_id}/reply", "on"),
    ("GET /api/v1/job-satisfaction", "end"),  # SAT-1: not before start
    # PEN-9: an amount only for a range type, within its range; a leak cites a read by the
    # person. PEN-2: an issue only where repeats of it count; PEN-8: no culprit only where
    # the group leader pays. PEN-7: a sanction of the policy, at least its fine
    ("POST /api/v1/violations", "amount"),
    ("POST /api/v1/violations", "access_log_id"),
    ("POST /api/v1/violations", "issue"),
    ("POST /api/v1/violations", "no_culprit"),
    ("POST /api/v1/sanctions", "sanction"),
    ("POST /api/v1/sanctions", "amount"),
    # issue 15: a policy draft is refused unless it is a whole valid policy document
    ("POST /api/v1/policy/versions", "document"),
    # issue 15: a replay's candidate is a whole valid policy; its period ends after it starts
    ("POST /api/v1/policy/replays", "document"),
    ("POST /api/v1/policy/replays", "end"),
}


def _cross_field(label: str, response: Any) -> bool:
    problem = response.json()
    return (label, problem.get("field")) in CROSS_FIELD


def _describe(exc: BaseException) -> str:
    """The failures of one operation, short: each check's title and the response."""
    text = str(exc)
    if isinstance(exc, BaseExceptionGroup):
        text += "\n" + "\n".join(_describe(sub) for sub in exc.exceptions)
    return text[:3000]


def _dump(app: App) -> Any:
    storage = app.storage
    assert isinstance(storage, MemoryStorage)
    with storage.store.lock:  # (a read creates a table's empty dict: not a change)
        return copy.deepcopy({k: v for k, v in storage.store.tables.items() if v})


def _exercise(
    operation: Any, mode: GenerationMode, app: App, token: str, ids: dict[str, str]
) -> None:
    """``MAX_EXAMPLES`` generated requests to one operation in one generation mode."""
    names = [p["name"] for p in operation.definition.raw.get("parameters", ()) if p["in"] == "path"]
    fixed = {n: ids[n] for n in names if n in ids and mode is GenerationMode.POSITIVE}
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)

    @given(strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate),  # report the first failure, no shrinking
        database=None,
        derandomize=True,
    )
    def run(case: schemathesis.Case) -> None:
        before = _dump(app)
        response = case.call()
        excluded = []
        if response.status_code == 422 and _cross_field(operation.label, response):
            excluded.append(positive_data_acceptance)
        case.validate_response(response, excluded_checks=excluded)
        if 400 <= response.status_code < 500:
            assert _dump(app) == before, (
                f"a refused request ({response.status_code}) changed the store"
            )

    run()


def test_api_conforms_to_its_document(
    served: tuple[Flask, App, str, dict[str, str]],
) -> None:
    flask_app, app, token, ids = served
    config = schemathesis.Config.from_dict({"auth": {"openapi": {"bearerAuth": {"bearer": token}}}})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", flask_app, config=config)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _exercise(operation, mode, app, token, ids)
            except (Exception, BaseExceptionGroup) as exc:  # one failure must not hide others
                failures.append(f"{operation.label} [{mode.value}]: {_describe(exc)}")
    assert operations >= 80  # every operation of the document was exercised
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures)
