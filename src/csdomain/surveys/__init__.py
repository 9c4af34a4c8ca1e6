"""Customer satisfaction surveys (SAT-1 reporting, SAT-2, SAT-3); docs/surveys.md."""
