"""Calendar adapters (X-1): the PRC statutory calendar and the policy versions' calendar."""

from adapters.calendar.prc import PrcCalendar, calendar_from_policy
from adapters.calendar.versioned import VersionedCalendar

__all__ = ["PrcCalendar", "VersionedCalendar", "calendar_from_policy"]
