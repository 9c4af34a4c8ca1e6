"""Service jobs (repair calls), satisfaction surveys, maintenance contracts, settlement and
exchange forms (CASE-12…CASE-14, SAT-1)."""
