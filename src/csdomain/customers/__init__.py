"""Customers: registration, ownership, files, grading, confidentiality, retention, exit."""
