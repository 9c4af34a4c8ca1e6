"""One benchmark harness (issue 10): every workload beside a raw baseline doing the same work,
in the same run, on the same database file and journal mode. ``python -m benchmarks``."""
