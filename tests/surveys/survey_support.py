"""Active customers (deals closed) and a periodic survey, in a few lines (SAT-2)."""

from __future__ import annotations

from datetime import date

from adapters.bootstrap import App
from csd_support import Org
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.customers.model import Customer, CustomerStatus
from csdomain.surveys.commands import CreateSurvey, RecordResponse
from csdomain.surveys.model import Survey


def active_customers(app: App, org: Org, n: int) -> list[Customer]:
    s = app.services.customers
    out = []
    for i in range(n):
        c = s.register(org.sales.id, RegisterCustomer(name=f"客户{i:03d}", phone=f"1380013{i:04d}"))
        out.append(
            s.update(
                org.sales.id,
                c.id,
                UpdateCustomer(expected_version=c.version, status=CustomerStatus.CLOSED_DEAL),
            )
        )
    return out


def survey(app: App, org: Org, customers: list[Customer] | None = None, **kw: object) -> Survey:
    fields: dict[str, object] = {
        "title": "2026 customer satisfaction",
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
        "customer_ids": [c.id for c in customers or []],
        **kw,
    }
    return app.services.surveys.create(org.manager.id, CreateSurvey(**fields))  # type: ignore[arg-type]


def answer(app: App, org: Org, s: Survey, customer: Customer, level: str) -> None:
    app.services.surveys.record_response(
        org.service.id, s.id, RecordResponse(customer_id=customer.id, level=level)
    )
