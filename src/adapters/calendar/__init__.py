"""Calendar adapters (X-1)."""

from adapters.calendar.prc import PrcCalendar, calendar_from_policy

__all__ = ["PrcCalendar", "calendar_from_policy"]
