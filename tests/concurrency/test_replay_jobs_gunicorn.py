"""Replay jobs under a real 4-worker gunicorn server (issue 15): a job started on whichever
worker takes the POST is answered by every worker that takes a poll (never a 404), until it
is done; another person's job is a 404 on all of them. SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

import time

import pytest
from concurrency_support import BACKENDS, Server

from adapters.policy_file import DEFAULT_POLICY_PATH

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", BACKENDS, indirect=True, scope="module"),
]

URL = "/api/v1/policy/replays"


def test_every_worker_answers_the_poll_of_a_replay_job(server: Server) -> None:
    document = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")  # a valid candidate
    body = {"document": document, "start": "2026-01-01", "end": "2026-03-31"}
    started = server.request("POST", URL, "manager", body)
    assert started.status == 202, started.text
    path = f"{URL}/{started.body['id']}"

    statuses: list[int] = []
    deadline = time.monotonic() + 90
    job = started.body
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        # eight polls at once land on several of the four workers
        replies = server.together([lambda: server.request("GET", path, "manager")] * 8)
        statuses += [r.status for r in replies]
        assert {r.status for r in replies} == {200}, [r.text for r in replies]
        job = replies[-1].body
        time.sleep(0.1)

    assert job["status"] == "done", job
    assert job["done"] == job["total"] > 0 and job["report"]["sections"]
    others = server.together([lambda: server.request("GET", path, "gm")] * 8)
    assert {r.status for r in others} == {404}
    again = server.together([lambda: server.request("GET", path, "manager")] * 8)
    assert {r.body["status"] for r in again} == {"done"}  # every worker has the report
    server.assert_healthy()
