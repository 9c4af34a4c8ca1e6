"""Exit codes of the ``csdomain`` command, mapped once from the domain error hierarchy.

Scripts branch on the exit code, so each code means one kind of outcome, whatever the command:

| code | meaning                                                      | raised as           |
| ---- | ------------------------------------------------------------ | ------------------- |
| 0    | success                                                      |                     |
| 1    | unexpected error (a bug, an unreachable database)            | any other exception |
| 2    | usage: bad option or argument, no ``--as`` actor             | Click's UsageError  |
| 3    | validation: input breaks a rule's shape                      | ValidationError     |
| 4    | not found                                                    | NotFound            |
| 5    | conflict with stored state (e.g. customer owned by someone)  | Conflict            |
| 6    | concurrency conflict: someone else changed it; reload, retry | ConcurrencyConflict |
| 7    | permission denied (X-3 authority, X-5 confidentiality)       | PermissionDenied    |
| 8    | invalid transition: not allowed in the record's state        | InvalidTransition   |
| 9    | policy error: the policy document is invalid                 | PolicyError         |

Errors go to stderr as ``Error: <message> (field: x, rule: CUS-1)``. With ``--json`` (anywhere
on the command line) stderr carries only one JSON problem object instead, so a script can
``json.loads`` it; its ``type`` is the same URI the HTTP API uses for the same failure
(``urn:csdomain:problem:conflict``…, see ``adapters.problem_types``), plus ``exit_code``.
Domain errors never print a traceback; unexpected errors print one only with ``--debug`` (or
``CSDOMAIN_DEBUG=1``).
"""

from __future__ import annotations

import json
from typing import IO, Any

import click

from adapters.problem_types import problem_type
from csdomain.kernel.errors import (
    ConcurrencyConflict,
    Conflict,
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PolicyError,
    ValidationError,
)

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_USAGE = 2
EXIT_VALIDATION = 3
EXIT_NOT_FOUND = 4
EXIT_CONFLICT = 5
EXIT_CONCURRENCY = 6
EXIT_PERMISSION = 7
EXIT_TRANSITION = 8
EXIT_POLICY = 9

# The one mapping. Looked up along the exception's MRO, so the most specific class wins
# (ConcurrencyConflict is a Conflict but exits 6, not 5).
EXIT_CODES: dict[type[DomainError], int] = {
    ValidationError: EXIT_VALIDATION,
    NotFound: EXIT_NOT_FOUND,
    Conflict: EXIT_CONFLICT,
    ConcurrencyConflict: EXIT_CONCURRENCY,
    PermissionDenied: EXIT_PERMISSION,
    InvalidTransition: EXIT_TRANSITION,
    PolicyError: EXIT_POLICY,
}

# For ``csdomain --help``: ``\b`` stops Click from re-wrapping the table.
EXIT_CODES_EPILOG = """\b
Exit codes:
  0  ok                      5  conflict (e.g. customer already owned)
  1  unexpected error        6  concurrency conflict (changed meanwhile)
  2  usage error             7  permission denied
  3  validation error        8  invalid transition
  4  not found               9  policy error
"""


def exit_code_for(exc: BaseException) -> int:
    """The exit code of an exception: the nearest mapped class on its MRO, else 1."""
    for cls in type(exc).__mro__:
        code = EXIT_CODES.get(cls)
        if code is not None:
            return code
    return EXIT_UNEXPECTED


def describe(exc: DomainError) -> str:
    """``<message> (field: x, rule: CUS-1)``: what went wrong and where to look."""
    pairs = (("field", exc.field), ("rule", exc.rule))
    notes = [f"{label}: {value}" for label, value in pairs if value]
    return f"{exc.message} ({', '.join(notes)})" if notes else exc.message


def problem(exc: DomainError) -> dict[str, Any]:
    """The machine-readable form of a domain error: the HTTP problem document's keys (type
    URI, title, detail, field, rule, errors) plus the exit code."""
    data: dict[str, Any] = {
        "type": problem_type(exc.code),
        "title": type(exc).__name__,
        "detail": exc.message,
        "field": exc.field,
        "rule": exc.rule,
        "exit_code": exit_code_for(exc),
    }
    errors = getattr(exc, "errors", None)
    if errors:
        data["errors"] = [{"field": f, "detail": why} for f, why in errors]
    if isinstance(exc, PolicyError):
        data["problems"] = [{"path": path, "why": why} for path, why in exc.problems]
    return data


def _echo_json(data: dict[str, Any], file: IO[Any] | None) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2), file=file, err=file is None)


class DomainFailure(click.ClickException):
    """A domain error on its way out of Click: the mapped exit code and a clean message."""

    def __init__(self, error: DomainError, *, as_json: bool = False) -> None:
        super().__init__(describe(error))
        self.error = error
        # Click declares exit_code a ClassVar, but main() reads it from the instance
        self.exit_code = exit_code_for(error)  # type: ignore[misc]
        self.as_json = as_json

    def show(self, file: IO[Any] | None = None) -> None:
        if self.as_json:
            _echo_json(problem(self.error), file)
            return
        click.echo(f"Error: {self.message}", file=file, err=file is None)
        if isinstance(self.error, PolicyError):
            for path, why in self.error.problems:
                click.echo(f"  {path}: {why}", file=file, err=file is None)
        else:
            errors = getattr(self.error, "errors", None) or []
            if len(errors) > 1:
                for field, why in errors:
                    click.echo(f"  {field or 'input'}: {why}", file=file, err=file is None)


class UnexpectedFailure(click.ClickException):
    """Anything that is not a domain error: exit 1, one line, traceback only with --debug."""

    exit_code = EXIT_UNEXPECTED

    def __init__(self, error: BaseException, *, as_json: bool = False) -> None:
        text = str(error) or type(error).__name__
        hint = ""
        if type(error).__module__.startswith("sqlalchemy"):
            hint = " — is the database reachable and its schema current? try `csdomain db upgrade`"
        super().__init__(f"unexpected {type(error).__name__}: {text}{hint}")
        self.error = error
        self.as_json = as_json

    def show(self, file: IO[Any] | None = None) -> None:
        if self.as_json:
            _echo_json(
                {
                    "type": problem_type("internal"),
                    "title": type(self.error).__name__,
                    "detail": self.message,
                    "exit_code": EXIT_UNEXPECTED,
                },
                file,
            )
            return
        click.echo(f"Error: {self.message}", file=file, err=file is None)
        click.echo(
            "(run with --debug or CSDOMAIN_DEBUG=1 for the traceback)", file=file, err=file is None
        )


class WithJsonProblem(click.ClickException):
    """A Click error (usage, bad parameter) in ``--json`` mode: only a problem object carrying
    Click's message, so scripts parse every failure the same way."""

    def __init__(self, inner: click.ClickException) -> None:
        super().__init__(inner.format_message())
        self.inner = inner
        self.exit_code = inner.exit_code  # type: ignore[misc]  # see DomainFailure

    def show(self, file: IO[Any] | None = None) -> None:
        kind = "usage" if isinstance(self.inner, click.UsageError) else "cli-error"
        _echo_json(
            {
                "type": problem_type(kind),
                "title": type(self.inner).__name__,
                "detail": self.inner.format_message(),
                "exit_code": self.exit_code,
            },
            file,
        )
