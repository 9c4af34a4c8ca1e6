"""The ``csdomain`` command: the same use cases as the HTTP API, for operators and scripts.

Global options come before the command (``csdomain --as stf_… --json customers list``);
``--json`` is also accepted after any command. Exit codes are documented in
``adapters.cli.errors`` and in ``csdomain --help``.
"""

from __future__ import annotations

import importlib
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from adapters.cli import policy_lab, policy_replay
from adapters.cli import serve as serving
from adapters.cli.commands import Group
from adapters.cli.common import DATE
from adapters.cli.errors import (
    EXIT_CODES_EPILOG,
    DomainFailure,
    UnexpectedFailure,
    WithJsonProblem,
)
from adapters.cli.render import Formatter, details, width
from adapters.cli.state import CliState, dumps, mask_url, pass_state, upgrade_schema
from adapters.demo_defaults import DEFAULT_SEED, TOKENS_FILE
from adapters.settings import Settings
from csdomain.kernel.errors import Conflict, DomainError

if TYPE_CHECKING:
    from adapters.bootstrap import App

# Command groups defined in their own modules, imported only when one of them runs (issue 10:
# ``csdomain --help`` loads neither the policy, the calendar nor the storage adapters). The
# short help is listed here so ``--help`` needs no import; tests/cli/test_cli_startup.py checks
# it is the commands' own.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "staff": (
        "adapters.cli.org",
        "Staff members and their roles (X-3).",
    ),
    "departments": (
        "adapters.cli.org",
        "Departments and their heads (the head reviews file destruction, X-6).",
    ),
    "regions": (
        "adapters.cli.org",
        "Regional markets and their heads (PEN-2: escalated complaints charge the head).",
    ),
    "tokens": (
        "adapters.cli.org",
        "API tokens for the HTTP API.",
    ),
    "permissions": (
        "adapters.cli.org",
        "Confidential-read permissions (X-5), granted and revoked by the policy's role (GM).",
    ),
    "customers": (
        "adapters.cli.customers",
        "Register, find, change, transfer and grade customers (CUS-1…CUS-4).",
    ),
    "files": (
        "adapters.cli.customers",
        "Customer files (档案): checklist, hand-over, confidential reads, destruction.",
    ),
    "deregistration": (
        "adapters.cli.customers",
        "Closing a customer's account, step by step through the policy's chain (CUS-6).",
    ),
    "access-log": (
        "adapters.cli.customers",
        "Who read which confidential record, when (X-5).",
    ),
    "registers": (
        "adapters.cli.customer_records",
        "Daily customer registers, the overdue report and appraisal points (CUS-1, CUS-7).",
    ),
    "loans": (
        "adapters.cli.customer_records",
        "Lending customer files: request, lend or refuse, return (CUS-7).",
    ),
    "key-accounts": (
        "adapters.cli.customer_records",
        "Sales figures, top-10 lists, key accounts and their churn (CUS-5).",
    ),
    "cases": (
        "adapters.cli.cases",
        "Complaints, suggestions, inquiries and service requests, from intake to closing.",
    ),
    "capa": (
        "adapters.cli.cases",
        "Corrective and preventive actions of a case, verified by another department (CASE-11).",
    ),
    "settlements": (
        "adapters.cli.cases",
        "Allowance, compensation, return and rework documents of a case (CASE-13).",
    ),
    "exchanges": (
        "adapters.cli.cases",
        "Exchange/transfer forms through the policy's sign-off chain to the ledger (CASE-14).",
    ),
    "jobs": (
        "adapters.cli.service_jobs",
        "Repair calls: register → dispatch → on site → fixed or taken in → invoiced → closed.",
    ),
    "contracts": (
        "adapters.cli.service_jobs",
        "Maintenance contracts and their renewal notices (CASE-12).",
    ),
    "credit": (
        "adapters.cli.credit",
        "Customer credit: the rolling line, shipment decisions, collection and bad debts.",
    ),
    "surveys": (
        "adapters.cli.surveys",
        "Periodic satisfaction surveys, their rule checks and corrective actions (SAT-1…3).",
    ),
    "visits": (
        "adapters.cli.visits",
        "Visit plans, visit reports, follow-ups, coverage and the care calendar (VIS-1…6).",
    ),
    "penalties": (
        "adapters.cli.penalties",
        "Violations, fines, rewards, appeals and each month's statements (PEN-1…PEN-11).",
    ),
}


class RootGroup(Group):
    """Maps errors to exit codes in one place: domain errors via ``errors.EXIT_CODES``,
    anything else to 1 with a one-line message (the traceback only with ``--debug``).
    Loads the command modules of ``LAZY_COMMANDS`` on first use."""

    group_class = Group

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Remember whether ``--json`` is on the command line before parsing it, so even an
        error Click raises while parsing (an unknown option, a missing argument) is reported
        as a JSON problem."""
        wants_json = json_requested(args)
        try:
            ctx = super().make_context(info_name, args, parent, **extra)
        except click.ClickException as exc:
            if wants_json and not isinstance(exc, WithJsonProblem):
                raise WithJsonProblem(exc) from exc
            raise
        ctx.meta[_JSON_ARGV] = wants_json
        return ctx

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module = importlib.import_module(LAZY_COMMANDS[cmd_name][0])
            for command in module.COMMANDS:
                if command.name not in self.commands:
                    self.add_command(command)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's listing, except that a command not loaded yet shows the first paragraph
        of its help as listed in ``LAZY_COMMANDS`` (shortened the way click shortens it)."""
        names = [
            name
            for name in self.list_commands(ctx)
            if name not in self.commands or not self.commands[name].hidden
        ]
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is None:
                stand_in = click.Command(name, help=LAZY_COMMANDS[name][1])
                rows.append((name, stand_in.get_short_help_str(limit)))
            else:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, DomainFailure, UnexpectedFailure):
            raise
        except click.ClickException as exc:
            if _state_flag(ctx, "json"):
                raise WithJsonProblem(exc) from exc
            raise
        except DomainError as exc:
            raise DomainFailure(exc, as_json=_state_flag(ctx, "json")) from exc
        except Exception as exc:
            if _state_flag(ctx, "debug"):
                raise
            raise UnexpectedFailure(exc, as_json=_state_flag(ctx, "json")) from exc


_JSON_ARGV = "csdomain.json_argv"


def json_requested(args: list[str]) -> bool:
    """``--json`` among the options (not after ``--``, where it would be a value)."""
    options = args[: args.index("--")] if "--" in args else args
    return "--json" in options


def _state_flag(ctx: click.Context, name: str) -> bool:
    if name == "json" and ctx.meta.get(_JSON_ARGV):
        return True
    state = ctx.find_object(CliState)
    return bool(getattr(state, name, False)) if state is not None else False


@click.group(
    "csdomain",
    cls=RootGroup,
    epilog=EXIT_CODES_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--database-url",
    metavar="URL",
    help="SQLAlchemy URL (SQLite or PostgreSQL); overrides CSDOMAIN_DATABASE_URL "
    "(default sqlite:///./csdomain.db).",
)
@click.option(
    "--policy",
    "policy_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Policy TOML file; overrides CSDOMAIN_POLICY_FILE (default: built-in policy).",
)
@click.option(
    "--as", "actor", metavar="STAFF_ID", help="The staff member acting; default CSDOMAIN_ACTOR."
)
@click.option(
    "--json",
    "json_output",
    is_flag=True,
    help="Machine-readable JSON output (also accepted after each command).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.version_option(package_name="csdomain")
@click.pass_context
def cli(
    ctx: click.Context,
    database_url: str | None,
    policy_file: str | None,
    actor: str | None,
    json_output: bool,
    debug: bool,
) -> None:
    """Customer-service management policies (制度) as working software.

    Start with `csdomain init`: it creates the database and the first administrator and
    prints the administrator's id and API token. Then act as a staff member with
    `--as STAFF_ID` (or CSDOMAIN_ACTOR).
    """
    injected = None
    if ctx.obj is not None:
        from adapters.bootstrap import App

        injected = ctx.obj if isinstance(ctx.obj, App) else None
    try:
        settings = injected.settings if injected is not None else Settings.from_env()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    changes: dict[str, Any] = {}
    if database_url:
        changes.update(database_url=database_url, storage="sql")
    if policy_file:
        changes["policy_file"] = policy_file
    if actor:
        changes["actor"] = actor
    state = CliState(
        settings=attrs.evolve(settings, **changes),
        json=json_output,
        debug=debug or os.environ.get("CSDOMAIN_DEBUG", "") not in ("", "0"),
        injected=injected,
    )
    ctx.obj = state
    ctx.call_on_close(state.close)


# --------------------------------------------------------------------- setup
@cli.command()
@click.option(
    "--admin-name",
    default="Admin",
    show_default=True,
    help="Name of the first administrator (only used on an empty database).",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Load a demo company with two months of history (staff, customers, cases, "
    "penalties, a settled month) instead of a blank start.",
)
@click.option(
    "--demo-seed",
    type=int,
    default=DEFAULT_SEED,
    show_default=True,
    help="Seed of the demo data: the same seed and date give the same company.",
)
@click.option(
    "--demo-as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The demo history ends on this day (default: today).",
)
@click.option(
    "--tokens-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Where --demo writes every demo person's API token (mode 0600; default "
    f"{TOKENS_FILE} next to the SQLite database, or in the current folder).",
)
@pass_state
def init(
    st: CliState,
    admin_name: str,
    demo: bool,
    demo_seed: int,
    demo_as_of: datetime | None,
    tokens_file: Path | None,
) -> None:
    """Create or upgrade the database; on an empty one, create the first admin.

    The admin's API token is printed once (only its hash is stored). Safe to run again:
    later runs only upgrade the schema. With --demo, an empty database gets a whole demo
    company instead (its tokens go to a file only you can read).
    """
    app = st.app(create_schema=True)
    where = mask_url(st.settings.database_url) if st.settings.storage == "sql" else "memory"
    if demo:
        _init_demo(st, app, where, demo_seed, demo_as_of, tokens_file)
        return
    try:
        admin, token = app.services.org.bootstrap_admin(admin_name)
    except Conflict:
        count = app.services.org.staff_count()
        st.emit(
            None,
            lambda: (
                f"Database {where} is up to date; it already has {count} staff, "
                "so no administrator was created."
            ),
            data={"database": where, "created": False, "staff_count": count},
        )
        return

    def human() -> str:
        return "\n".join(
            [
                f"Database {where} is ready.",
                f"Created administrator {admin.name}:",
                f"  staff id:  {admin.id}",
                f"  API token: {token}",
                "The token is shown only now; keep it safe. Act as this admin with:",
                f"  export CSDOMAIN_ACTOR={admin.id}",
            ]
        )

    st.emit(
        None,
        human,
        data={
            "database": where,
            "created": True,
            "admin": {"id": admin.id, "name": admin.name, "role": admin.role},
            "token": token,
        },
    )


def _default_tokens_file(st: CliState) -> Path:
    """Next to the SQLite database file, else in the current folder."""
    url = st.settings.database_url
    if st.settings.storage == "sql" and url.startswith("sqlite:///"):
        database = url.removeprefix("sqlite:///").split("?")[0]
        if database and database != ":memory:":
            return Path(database).resolve().parent / TOKENS_FILE
    return Path.cwd() / TOKENS_FILE


def _init_demo(
    st: CliState,
    app: App,
    where: str,
    seed: int,
    as_of: datetime | None,
    tokens_file: Path | None,
) -> None:
    path = tokens_file or _default_tokens_file(st)
    from adapters.demo import load_demo

    result = load_demo(
        app.settings,
        app.storage,
        policy=app.policy,
        as_of=as_of.date() if as_of else None,
        seed=seed,
        tokens_path=path,
    )
    key = [
        ("admin", result.person("admin")),
        ("general manager", result.person("gm")),
        ("sales manager", result.person("manager", "sales_manager")),
        ("customer-service supervisor", result.person("supervisor", "cs_supervisor")),
        ("sales adviser", result.person("staff", "sales_adviser")),
        ("customer-service desk", result.person("staff", "cs_desk")),
    ]

    def human() -> str:
        states = ", ".join(f"{k} {v}" for k, v in result.case_states.items())
        lines = [
            f"Database {where} now holds a demo company ({result.start} … {result.end}):",
            f"  {len(result.people)} staff in 4 departments, {result.customers} customers, "
            f"{result.files} files",
            f"  {result.cases} cases ({states})",
            f"  {result.breaches} breached deadlines, {result.penalty_entries} penalty "
            f"entries, settled: {', '.join(result.settled_months)}",
            f"  {result.credit_accounts} customers on credit, "
            f"{sum(result.shipments.values())} shipments decided "
            f"({', '.join(f'{k} {v}' for k, v in result.shipments.items())}), "
            f"{result.credit_charges} month-end charge(s) to a signer",
            f"  {result.visit_plans} visit plans, {result.visits} visits reported "
            f"({result.late_visit_reports} late), {result.survey_responses} answers to the "
            "year's satisfaction survey",
            f"  {result.service_jobs} service jobs "
            f"({', '.join(f'{k} {v}' for k, v in result.job_states.items())}), "
            f"{result.late_arrivals} on site late, {result.rated_jobs} rated, "
            f"{result.maintenance_contracts} maintenance contracts "
            f"({result.renewal_notices} renewal notices)",
            f"  {sum(result.registers.values())} daily registers "
            f"({', '.join(f'{k} {v}' for k, v in result.registers.items())}), "
            f"{sum(result.file_loans.values())} file loans "
            f"({', '.join(f'{k} {v}' for k, v in result.file_loans.items())})",
            f"  policy versions {', '.join(map(str, result.policy_versions))} "
            "(csdomain policy versions; policy diff 1 2)",
            f"API tokens of all {len(result.people)} people: {path} (only you can read it)",
            "Some people to act as (csdomain --as ID …, or export CSDOMAIN_ACTOR=ID):",
        ]
        lines += [f"  {label:<28} {s.name}{' ' * (12 - width(s.name))}{s.id}" for label, s in key]
        lines.append("Then: csdomain serve  (sign in at http://127.0.0.1:8000/ with a token)")
        return "\n".join(lines)

    st.emit(
        None,
        human,
        data={
            "database": where,
            "created": True,
            "demo": {
                "start": result.start,
                "end": result.end,
                "staff": len(result.people),
                "customers": result.customers,
                "files": result.files,
                "policy_versions": result.policy_versions,
                "cases": result.cases,
                "case_states": result.case_states,
                "breaches": result.breaches,
                "penalty_entries": result.penalty_entries,
                "settled_months": result.settled_months,
                "credit_accounts": result.credit_accounts,
                "shipments": result.shipments,
                "credit_charges": result.credit_charges,
                "visit_plans": result.visit_plans,
                "visits": result.visits,
                "late_visit_reports": result.late_visit_reports,
                "survey_responses": result.survey_responses,
                "service_jobs": result.service_jobs,
                "job_states": result.job_states,
                "late_arrivals": result.late_arrivals,
                "rated_jobs": result.rated_jobs,
                "maintenance_contracts": result.maintenance_contracts,
                "renewal_notices": result.renewal_notices,
                "registers": result.registers,
                "file_loans": result.file_loans,
            },
            "tokens_file": str(path),
            "people": {
                label: {"id": s.id, "name": s.name, "role": s.role, "position": s.position}
                for label, s in key
            },
        },
    )


@cli.group(cls=Group)
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@pass_state
def db_upgrade(st: CliState) -> None:
    """Upgrade the schema to the latest revision (Alembic ``upgrade head``)."""
    storage, release = st.storage()
    try:
        upgraded = upgrade_schema(storage)
    finally:
        release()
    where = mask_url(st.settings.database_url)
    st.emit(
        None,
        lambda: (
            f"Database {where} is at the latest schema."
            if upgraded
            else "Memory storage has no schema; nothing to upgrade."
        ),
        data={"database": where if upgraded else "memory", "upgraded": upgraded},
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="Gunicorn worker processes (ignored by the development server).",
)
@click.option(
    "--with-worker",
    is_flag=True,
    help="Also run `csdomain worker` beside the server (the periodic actions, for small "
    "teams without cron).",
)
@pass_state
def serve(st: CliState, host: str, port: int, workers: int, with_worker: bool) -> None:
    """Run the HTTP API: gunicorn on Linux/macOS, Flask's dev server where it is unavailable.

    Upgrades the schema first and checks the policy, so a broken policy fails here
    (exit 9) rather than in every worker.
    """
    app = st.app(create_schema=True)
    if st.injected is None:
        st.close()  # workers open their own connections
    if app.settings.storage == "memory" and workers > 1:
        click.echo("warning: memory storage is per process; each worker has its own data", err=True)
    serving.export_settings(st.settings)
    beside = serving.start_worker_process() if with_worker else None
    try:
        if serving.gunicorn_available():
            serving.run_gunicorn(host, port, workers)
        else:
            serving.run_dev_server(host, port)
    finally:
        if beside is not None:
            serving.stop_process(beside)


@cli.command()
@click.option(
    "--once",
    "once",
    metavar="JOB",
    multiple=True,
    help="Run this job now (repeatable) and exit, instead of running on the policy's times.",
)
@pass_state
def worker(st: CliState, once: tuple[str, ...]) -> None:
    """Run the periodic actions (sweep, violations from events, recurrences, job
    prioritisation, late jobs, renewal notices) on the policy's [scheduler.jobs] times, as
    the system account. Several workers may run: each tick runs once (see docs/architecture.md).
    """
    from adapters.worker import JOBS, Worker

    unknown = sorted(set(once) - set(JOBS))
    if unknown:
        raise click.BadParameter(
            f"unknown job(s) {unknown}; known: {', '.join(sorted(JOBS))}", param_hint="--once"
        )
    app = st.app(create_schema=True)
    runner = Worker.for_app(app)
    if once:
        outcomes = {job: runner.run(job) for job in once}
        st.emit(
            None,
            lambda: "\n".join(
                f"{job}: {o or 'skipped (another worker ran this tick)'}"
                for job, o in outcomes.items()
            ),
            data=outcomes,
        )
        return
    click.echo(f"csdomain worker {runner.holder}: {runner.scheduled()}", err=True)
    runner.start(block=True)


# -------------------------------------------------------------------- policy
@cli.group("policy", cls=Group)
def policy_group() -> None:
    """Show and check policy documents; store versions, diff and activate them (issue 15)."""


# issue 15: `policy replay` lives in its own module (which imports only Click at start-up)
for _command in policy_replay.COMMANDS:
    policy_group.add_command(_command)
# issue 15: versions, diff, upload, activate (adapters.cli.policy_lab, Click only at start-up)
for _command in policy_lab.COMMANDS:
    policy_group.add_command(_command)


@policy_group.command("show")
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Show this file's policy instead of the effective one.",
)
@click.option(
    "--on",
    "on",
    type=DATE,
    help="Show the stored policy version in force on this day (issue 15; needs --as).",
)
@pass_state
def policy_show(st: CliState, file: str | None, on: datetime | None) -> None:
    """Print the effective policy as TOML (JSON with --json), defaults filled in."""
    from adapters.policy_file import dump_policy, load_policy
    from adapters.policy_file.loader import policy_to_dict

    if on is not None and file is None:
        app, actor = st.acting()
        policy = app.services.policy_lab.in_force(actor, on.date()).policy
    else:
        policy = load_policy(file) if file else st.policy()
    if st.json:
        click.echo(dumps(policy_to_dict(policy)))
    else:
        click.echo(dump_policy(policy), nl=False)


@policy_group.command("validate")
@click.argument("file", type=click.Path(dir_okay=False), required=False)
@pass_state
def policy_validate(st: CliState, file: str | None) -> None:
    """Check a policy file; list every bad key with its path and why (exit 9), or say OK.

    Without FILE, checks the effective policy file (--policy, CSDOMAIN_POLICY_FILE or the
    built-in one).
    """
    from adapters.policy_file import DEFAULT_POLICY_PATH, load_policy

    source = file or st.settings.policy_file or str(DEFAULT_POLICY_PATH)
    policy = load_policy(source)
    st.emit(
        None,
        lambda: (
            f"OK: {source} is a valid policy (version {policy.version})\n"
            + details([("name", policy.name), ("schema", policy.schema)], Formatter())
        ),
        data={"ok": True, "file": source, "version": policy.version, "name": policy.name},
    )


@policy_group.command("permissions")
@click.argument("file", type=click.Path(dir_okay=False), required=False)
@pass_state
def policy_permissions(st: CliState, file: str | None) -> None:
    """Print the action × role matrix of a policy (docs/permissions.md): which roles may take
    each action, the scope they reach, separation of duties and confidential levels."""
    from adapters.policy_file import load_policy
    from csdomain.authz.guard import allowed_roles, scope_of
    from csdomain.authz.matrix import matrix_markdown

    policy = load_policy(file) if file else st.policy()
    rows = {
        name: {
            "rule": rule.rule,
            "roles": {r: scope_of(policy, name, r) for r in allowed_roles(policy, name)},
            "separation": list(rule.separation),
            "record": rule.record,
        }
        for name, rule in sorted(policy.permissions.actions.items())
    }
    st.emit(None, lambda: matrix_markdown(policy).rstrip("\n"), data=rows)
