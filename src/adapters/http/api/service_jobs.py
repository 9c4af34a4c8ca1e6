"""Service-job endpoints: repair calls from registration to closure (CASE-12), the customer
survey of every job (SAT-1), maintenance contracts and their renewal notices (CASE-12), and
exchange/transfer forms with their sign-off chain and ledger (CASE-14).

Who may inspect, sign which exchange step, or act as the dispatched technician is decided by
the use cases; a step not allowed in the job's or form's state is a 409.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, url_for

from adapters.http.bodies import (
    AddContract,
    Dispatch,
    FixOnSite,
    Inspection,
    Invoice,
    SignOff,
    Survey,
    TakeIn,
)
from adapters.http.openapi import DATE_PARAM, PAGE_PARAMS, Param, operation
from adapters.http.rest import (
    actor,
    app_state,
    body,
    optional_body,
    page_of,
    query_date,
    respond,
    services,
)
from csdomain.kernel.errors import ValidationError
from csdomain.kernel.ids import StaffId
from csdomain.service_jobs.commands import OpenExchange, RegisterJob
from csdomain.service_jobs.model import ExchangeForm, MaintenanceContract, ServiceJob
from csdomain.service_jobs.services import SurveySummary

bp = Blueprint("service_jobs", __name__)

_STEP_PROBLEMS = (409,)


# ---------------------------------------------------------------------- service jobs
@operation(
    bp,
    "/service-jobs",
    "POST",
    action="jobs.register",
    summary="Register a repair call (CASE-12)",
    description="The zone sets the on-site deadline (city 6 / suburbs 7 business hours, dense "
    "12 h, general 24 h by default).",
    body=RegisterJob,
    response=ServiceJob,
    status=201,
)
def register_job() -> Response:
    job = services().service_jobs.register(actor().id, body(RegisterJob))
    return respond(job, 201, location=url_for(".get_job", job_id=job.id))


@operation(
    bp,
    "/service-jobs/dispatch-queue",
    "GET",
    action="jobs.queue",
    summary="Undispatched jobs: yesterday's leftovers first, then by deadline (CASE-12)",
    response=ServiceJob,
    shape="page",
    query=PAGE_PARAMS,
)
def dispatch_queue() -> Response:
    return page_of(services().service_jobs.dispatch_queue(actor().id))


@operation(
    bp,
    "/service-jobs/prioritize",
    "POST",
    action="scheduler.prioritize_jobs",
    summary="Give jobs not dispatched before today priority (CASE-12; for schedulers)",
    description="Returns the jobs that got priority now. Runs as the scheduler's system "
    "account (its token); at most 500 records per call. Send no body.",
    response=ServiceJob,
    shape="list",
)
def prioritize() -> Response:
    return respond(services().service_jobs.prioritize_undispatched(actor().id))


@operation(
    bp,
    "/service-jobs/late-report",
    "POST",
    action="scheduler.late_jobs",
    summary="Report overdue repairs to the supervisor, once per job (CASE-12; for schedulers)",
    description="Returns the jobs reported now. Runs as the scheduler's system "
    "account (its token); at most 500 records per call. Send no body.",
    response=ServiceJob,
    shape="list",
)
def late_report() -> Response:
    return respond(services().service_jobs.report_late(actor().id))


@operation(
    bp,
    "/service-jobs/<job_id>",
    "GET",
    action="jobs.read",
    summary="A service job",
    response=ServiceJob,
)
def get_job(job_id: str) -> Response:
    return respond(services().service_jobs.get(actor().id, job_id))


@operation(
    bp,
    "/service-jobs/<job_id>/dispatch",
    "POST",
    action="jobs.dispatch",
    summary="Dispatch a technician (CASE-12)",
    body=Dispatch,
    response=ServiceJob,
    problems=_STEP_PROBLEMS,
)
def dispatch(job_id: str) -> Response:
    cmd = body(Dispatch)
    return respond(services().service_jobs.dispatch(actor().id, job_id, cmd.technician_id))


@operation(
    bp,
    "/service-jobs/<job_id>/arrival",
    "POST",
    action="jobs.work",
    summary="The technician is on site (late if after the zone's deadline)",
    response=ServiceJob,
    problems=_STEP_PROBLEMS,
)
def arrive(job_id: str) -> Response:
    return respond(services().service_jobs.arrive(actor().id, job_id))


@operation(
    bp,
    "/service-jobs/<job_id>/fixed-on-site",
    "POST",
    action="jobs.work",
    summary="Fixed on site; the customer signs (CASE-12)",
    body=FixOnSite,
    response=ServiceJob,
    problems=_STEP_PROBLEMS,
)
def fix_on_site(job_id: str) -> Response:
    cmd = body(FixOnSite)
    return respond(
        services().service_jobs.fix_on_site(actor().id, job_id, customer_signed=cmd.customer_signed)
    )


@operation(
    bp,
    "/service-jobs/<job_id>/take-in",
    "POST",
    action="jobs.work",
    summary="Take the item in for repair: receipt and repair card (CASE-12)",
    body=TakeIn,
    response=ServiceJob,
    problems=_STEP_PROBLEMS,
)
def take_in(job_id: str) -> Response:
    cmd = body(TakeIn)
    return respond(
        services().service_jobs.take_in(
            actor().id, job_id, receipt_no=cmd.receipt_no, repair_card_no=cmd.repair_card_no
        )
    )


@operation(
    bp,
    "/service-jobs/<job_id>/inspection",
    "POST",
    action="jobs.inspect",
    summary="Supervisor inspection of a taken-in repair (CASE-12; the policy's role)",
    body=Inspection,
    body_required=False,
    response=ServiceJob,
    problems=_STEP_PROBLEMS,
)
def inspect(job_id: str) -> Response:
    cmd = optional_body(Inspection)
    return respond(services().service_jobs.inspect(actor().id, job_id, cmd.note))


@operation(
    bp,
    "/service-jobs/<job_id>/return",
    "POST",
    action="jobs.work",
    summary="Return the repaired item to the customer (CASE-12)",
    response=ServiceJob,
    problems=_STEP_PROBLEMS,
)
def return_to_customer(job_id: str) -> Response:
    return respond(services().service_jobs.return_to_customer(actor().id, job_id))


@operation(
    bp,
    "/service-jobs/<job_id>/invoice",
    "POST",
    action="jobs.invoice",
    summary="Invoice paid work when paid (work type A; CASE-12)",
    body=Invoice,
    response=ServiceJob,
    problems=_STEP_PROBLEMS,
)
def invoice(job_id: str) -> Response:
    cmd = body(Invoice)
    return respond(services().service_jobs.invoice(actor().id, job_id, cmd.invoice_no, cmd.amount))


@operation(
    bp,
    "/service-jobs/<job_id>/survey",
    "POST",
    action="jobs.survey",
    summary="Record the customer survey of the job (SAT-1: every item, every job)",
    body=Survey,
    response=ServiceJob,
    problems=_STEP_PROBLEMS,
)
def survey(job_id: str) -> Response:
    cmd = body(Survey)
    return respond(services().service_jobs.record_survey(actor().id, job_id, dict(cmd.ratings)))


@operation(
    bp,
    "/service-jobs/<job_id>/closure",
    "POST",
    action="jobs.close",
    summary="Close the job (surveyed, and invoiced if paid work; CASE-12, SAT-1)",
    response=ServiceJob,
    problems=_STEP_PROBLEMS,
)
def close_job(job_id: str) -> Response:
    return respond(services().service_jobs.close(actor().id, job_id))


def _day_start(day: date) -> datetime:
    tz = ZoneInfo(app_state().policy.calendar.timezone)
    return datetime.combine(day, time.min, tzinfo=tz)


@operation(
    bp,
    "/technicians/<technician_id>/survey-summary",
    "GET",
    action="jobs.survey_summary",
    summary="A technician's survey ratings in a period (SAT-1; for the monthly appraisal)",
    description="Jobs completed from `start` to `end`, both inclusive, in the company time zone.",
    response=SurveySummary,
    query=(
        Param("start", DATE_PARAM, "first day", True),
        Param("end", DATE_PARAM, "last day (inclusive)", True),
    ),
)
def survey_summary(technician_id: str) -> Response:
    start, end = query_date("start"), query_date("end")
    if start is None:
        raise ValidationError("this query parameter is required", field="start")
    if end is None:
        raise ValidationError("this query parameter is required", field="end")
    if end < start:
        raise ValidationError("must not be before start", field="end")
    summary = services().service_jobs.survey_summary(
        actor().id,
        StaffId(technician_id),
        _day_start(start),
        _day_start(end + timedelta(days=1)),
    )
    return respond(summary)


# ------------------------------------------------------------------------- contracts
@operation(
    bp,
    "/contracts",
    "POST",
    action="jobs.contracts.add",
    summary="Add a maintenance contract (CASE-12)",
    body=AddContract,
    response=MaintenanceContract,
    status=201,
)
def add_contract() -> Response:
    cmd = body(AddContract)
    contract = services().service_jobs.add_contract(
        actor().id, cmd.customer_id, cmd.number, cmd.starts_on, cmd.ends_on
    )
    return respond(contract, 201)


@operation(
    bp,
    "/contracts/renewal-notices",
    "POST",
    action="scheduler.renewal_notices",
    summary="Send renewal notices for contracts ending within the policy's months "
    "(CASE-12; for schedulers)",
    description="Returns the contracts notified now. Runs as the scheduler's system "
    "account (its token); at most 500 records per call. Send no body.",
    response=MaintenanceContract,
    shape="list",
)
def renewal_notices() -> Response:
    return respond(services().service_jobs.send_renewal_notices(actor().id))


# ------------------------------------------------------------------------- exchanges
@operation(
    bp,
    "/exchanges",
    "GET",
    action="exchanges.read",
    summary="Exchange/transfer forms (CASE-14)",
    response=ExchangeForm,
    shape="page",
    query=PAGE_PARAMS,
)
def list_exchanges() -> Response:
    return page_of(services().settlement.exchanges(actor().id))


@operation(
    bp,
    "/exchanges",
    "POST",
    action="exchanges.open",
    summary="Open an exchange/transfer form with its reason (the salesperson; CASE-14)",
    body=OpenExchange,
    response=ExchangeForm,
    status=201,
)
def open_exchange() -> Response:
    form = services().settlement.open_exchange(actor().id, body(OpenExchange))
    return respond(form, 201)


@operation(
    bp,
    "/exchanges/<form_id>/sign-offs",
    "POST",
    action="exchanges.sign",
    summary="Sign the form's next step, by that step's role (CASE-14, X-3)",
    description="Default chain: regional market head (manager) → office verification "
    "(supervisor) → GM instruction (GM) → warehouse (staff). A refusal needs an opinion and "
    "ends the form.",
    body=SignOff,
    response=ExchangeForm,
    problems=_STEP_PROBLEMS,
)
def sign_exchange(form_id: str) -> Response:
    cmd = body(SignOff)
    return respond(
        services().settlement.sign_exchange(
            actor().id, form_id, approve=cmd.approve, opinion=cmd.opinion
        )
    )


@operation(
    bp,
    "/exchanges/<form_id>/ledger",
    "POST",
    action="exchanges.ledger",
    summary="Enter a completed form in the exchange ledger, signed by the handler (CASE-14)",
    response=ExchangeForm,
    problems=_STEP_PROBLEMS,
)
def enter_in_ledger(form_id: str) -> Response:
    return respond(services().settlement.enter_in_ledger(actor().id, form_id))
