"""Invariants (issue 8): normalized customer identities and the unique indexes that back the
"once" / "at most" / "unique" rules (CUS-1, PEN-10).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

1. Existing identities are brought to the form the core now writes (CUS-1): names and ID
   numbers NFKC-folded (full-width characters typed with a Chinese input method become
   ASCII; ID numbers upper-cased), phones parsed by ``phonenumbers`` and stored in E.164.
   Legacy rows have no region of their own, so phones without ``+country code`` are read
   as ``CN`` (the policy's default ``customers.registration.phone_region``). A phone that
   does not parse is left as it was and reported.
2. Normalizing can make two live customers the same person, and races before this
   revision may have left two open appeals of one entry or two reversals of one entry.
   Nothing is deleted or failed: the earliest row keeps the identity (CUS-1: the earliest
   registration owns the customer), every later one gets ``duplicate_of`` = the earliest
   row's id, which leaves it out of the new unique index, and each collision is logged
   (logger ``csdomain.migrations``, WARNING; stderr when logging is not configured). Query
   ``duplicate_of IS NOT NULL`` to resolve them (e.g. transfer or deregister, reverse).
3. Unique partial indexes: one live customer per phone and per ID number; one open appeal
   per penalty entry; one reversal per entry.

Downgrade drops the indexes and the flag columns; normalized values stay normalized.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from typing import Any

import phonenumbers
import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("csdomain.migrations")

ID = sa.String(64)
LEGACY_PHONE_REGION = "CN"
LIVE = "status IN ('prospect', 'closed_deal', 'deregistering')"

_INDEXES = (
    (
        "uq_customers_live_phone",
        "customers",
        "phone",
        f"{LIVE} AND duplicate_of IS NULL",
    ),
    (
        "uq_customers_live_id_number",
        "customers",
        "id_number",
        f"{LIVE} AND duplicate_of IS NULL AND id_number IS NOT NULL",
    ),
    (
        "uq_appeals_one_open_per_entry",
        "appeals",
        "entry_id",
        "state = 'open' AND duplicate_of IS NULL",
    ),
    (
        "uq_penalty_entries_one_reversal",
        "penalty_entries",
        "reverses_id",
        "reverses_id IS NOT NULL AND duplicate_of IS NULL",
    ),
)


def _report(message: str) -> None:
    # WARNING: with no logging configured Python prints it to stderr, so `csdomain db
    # upgrade` shows it without disturbing its (possibly JSON) stdout
    log.warning("0006: %s", message)


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def _e164(phone: str) -> str | None:
    try:
        parsed = phonenumbers.parse(_nfkc(phone), LEGACY_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _normalize_customers(bind: sa.Connection) -> None:
    rows = bind.execute(
        sa.text("SELECT id, name, contact_name, phone, id_number FROM customers ORDER BY id")
    ).all()
    for cid, name, contact, phone, id_number in rows:
        new_phone = _e164(phone)
        if new_phone is None:
            _report(f"customer {cid}: phone {phone!r} does not parse; left unchanged")
            new_phone = phone
        values = {
            "id": cid,
            "name": _nfkc(name),
            "contact_name": _nfkc(contact),
            "phone": new_phone,
            "id_number": (_nfkc(id_number).upper() or None) if id_number is not None else None,
        }
        if values != {
            "id": cid,
            "name": name,
            "contact_name": contact,
            "phone": phone,
            "id_number": id_number,
        }:
            bind.execute(
                sa.text(
                    "UPDATE customers SET name = :name, contact_name = :contact_name, "
                    "phone = :phone, id_number = :id_number WHERE id = :id"
                ),
                values,
            )


def _flag(bind: sa.Connection, table: str, what: str, rows: Sequence[sa.Row[Any]]) -> None:
    """``rows`` are (id, key) in precedence order: the first row per key keeps it."""
    first: dict[str, str] = {}
    for row_id, key in (tuple(r) for r in rows):
        if key not in first:
            first[key] = row_id
            continue
        bind.execute(
            sa.text(f"UPDATE {table} SET duplicate_of = :first WHERE id = :id"),
            {"first": first[key], "id": row_id},
        )
        _report(f"{table} {row_id}: {what} {key!r} already belongs to {first[key]}; flagged")


def upgrade() -> None:
    for table in ("customers", "appeals", "penalty_entries"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("duplicate_of", ID, nullable=True))
    bind = op.get_bind()
    _normalize_customers(bind)
    live = f"SELECT id, {{col}} FROM customers WHERE {LIVE} AND duplicate_of IS NULL"
    order = " AND {col} IS NOT NULL ORDER BY registered_at, id"
    for column, what in (("phone", "phone"), ("id_number", "ID number")):
        query = live.format(col=column) + order.format(col=column)
        _flag(bind, "customers", what, bind.execute(sa.text(query)).all())
    _flag(
        bind,
        "appeals",
        "open appeal of entry",
        bind.execute(
            sa.text("SELECT id, entry_id FROM appeals WHERE state = 'open' ORDER BY filed_at, id")
        ).all(),
    )
    _flag(
        bind,
        "penalty_entries",
        "reversal of entry",
        bind.execute(
            sa.text(
                "SELECT id, reverses_id FROM penalty_entries WHERE reverses_id IS NOT NULL "
                "ORDER BY seq"
            )
        ).all(),
    )
    for name, table, column, where in _INDEXES:
        op.create_index(
            name,
            table,
            [column],
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade() -> None:
    for name, table, _, _ in _INDEXES:
        op.drop_index(name, table_name=table)
    for table in ("customers", "appeals", "penalty_entries"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("duplicate_of")
