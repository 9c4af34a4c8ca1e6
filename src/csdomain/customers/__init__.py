"""Customers: registration and ownership, files, grading, confidentiality, retention, deregistration."""
