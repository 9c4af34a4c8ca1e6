"""Staff violations, penalties, rewards and the monthly penalty ledger (PEN-1…PEN-11)."""
