"""Visits and relationship care (VIS-1…VIS-6): monthly visit plans approved by the supervisor,
visit records with their report deadline and follow-up items, frequency by customer grade,
coverage, and the care calendar."""
