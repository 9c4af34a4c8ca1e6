"""Customers with a grade, plans and reports, in a few lines (VIS-1…VIS-5)."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapters.bootstrap import App
from csd_support import Org
from csdomain.customers.commands import RegisterCustomer
from csdomain.customers.model import Customer
from csdomain.visits.commands import ReportVisit

SCORES_A = {
    "annual_sales": 100,
    "price": 100,
    "payment_collection": 100,
    "cooperation": 100,
    "trend": 100,
}


def customer(
    app: App, org: Org, name: str, phone: str, grade_a: bool = False, **kw: Any
) -> Customer:
    c = app.services.customers.register(
        org.sales.id, RegisterCustomer(name=name, phone=phone, **kw)
    )
    if grade_a:
        app.services.customers.evaluate_grade(
            org.manager.id, c.id, SCORES_A, "annual review", proposed_by=org.sales.id
        )
    return app.services.customers.get(org.sales.id, c.id)


def report(app: App, actor: Any, customer_id: Any, on: date, **kw: Any) -> Any:
    fields: dict[str, Any] = {
        "purpose": "build_relationship",
        "people_met": "Mr Zhang, purchasing",
        "summary": "Reviewed the quarter's orders.",
        "outcome": "promising",
    }
    fields.update(kw)
    return app.services.visits.report_visit(
        actor.id, ReportVisit(customer_id=customer_id, on=on, **fields)
    )
