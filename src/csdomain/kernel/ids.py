"""Typed identifiers.

Identifiers are opaque strings at run time (cheap to store and to put in URLs) but distinct
types for mypy, so a StaffId can never be passed where a CustomerId is expected.
"""

from __future__ import annotations

import uuid
from typing import NewType, TypeVar

CustomerId = NewType("CustomerId", str)
StaffId = NewType("StaffId", str)
DepartmentId = NewType("DepartmentId", str)
FileId = NewType("FileId", str)
GradeChangeId = NewType("GradeChangeId", str)
DeregistrationId = NewType("DeregistrationId", str)
EventId = NewType("EventId", str)

_T = TypeVar("_T", bound=str)


def new_id(kind: type[_T] | object, prefix: str) -> str:
    """A fresh identifier such as ``cus_3f2a…``; the prefix makes logs readable."""
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


def new_customer_id() -> CustomerId:
    return CustomerId(new_id(CustomerId, "cus"))


def new_staff_id() -> StaffId:
    return StaffId(new_id(StaffId, "stf"))


def new_department_id() -> DepartmentId:
    return DepartmentId(new_id(DepartmentId, "dep"))


def new_file_id() -> FileId:
    return FileId(new_id(FileId, "fil"))


def new_grade_change_id() -> GradeChangeId:
    return GradeChangeId(new_id(GradeChangeId, "grd"))


def new_deregistration_id() -> DeregistrationId:
    return DeregistrationId(new_id(DeregistrationId, "drg"))


def new_event_id() -> EventId:
    return EventId(new_id(EventId, "evt"))


def new_record_id() -> str:
    """Identifier for append-only records (access log, destruction records)."""
    return new_id(str, "rec")
