"""Complaint and service cases: intake, lifecycle, approvals, policy clocks, breaches, CAPA."""
