"""The load: customers file tickets (each with an Idempotency-Key, retried with the same key on a
connection error or a 5xx, every attempt logged), engineers read the queue and reply to Premium's
tickets (never to the tickets whose deadlines the harness watches, which are Premium Plus's),
institution admins read the report. The log (SCALE_CLIENT_LOG, one JSON line per attempt) is what run.py
compares the database with."""

import datetime
import json
import os
import threading
import time
import uuid

from locust import HttpUser, between, task

LOG = os.environ.get("SCALE_CLIENT_LOG", "client.jsonl")
PASSWORD = "demo-pass-2026"
_lock = threading.Lock()


def _log(**fields) -> None:
    with _lock, open(LOG, "a") as out:
        out.write(json.dumps(fields) + "\n")


class _App(HttpUser):
    abstract = True
    wait_time = between(0.05, 0.2)
    username = ""

    def on_start(self):
        for _attempt in range(10):
            response = self.client.post(
                "/api/v1/auth/token/", json={"username": self.username, "password": PASSWORD}, name="sign in"
            )
            if response.status_code == 200:
                self.client.headers["Authorization"] = f"Token {response.json()['token']}"
                return
            time.sleep(1)


class Customer(_App):
    weight = 3
    username = "premium-user1"

    @task
    def file(self):
        key = uuid.uuid4().hex
        body = {"subject": f"scale {key}", "description": "Yük testi talebi."}
        for attempt in range(5):
            with self.client.post(
                "/api/v1/tickets/",
                json=body,
                headers={"Idempotency-Key": key},
                name="file",
                catch_response=True,
            ) as response:
                status = response.status_code
                try:
                    ticket = response.json().get("id") if status in (200, 201) else None
                except ValueError:
                    ticket = None
                _log(key=key, attempt=attempt, status=status, ticket=ticket)
                if status in (200, 201):
                    response.success()
                    return
                if status and status < 500:
                    response.failure(f"HTTP {status}")
                    return
                response.failure(f"HTTP {status}, retried")


class Engineer(_App):
    weight = 2
    username = "engineer1"

    @task(3)
    def queue(self):
        self.client.get("/api/v1/queue/", name="queue")

    @task
    def reply(self):
        response = self.client.get("/api/v1/queue/", params={"institution": "premium"}, name="queue")
        if response.status_code != 200:
            return
        queue = response.json()
        rows = queue.get("results", queue) if isinstance(queue, dict) else queue
        if rows:
            self.client.post(
                f"/api/v1/tickets/{rows[0]['id']}/replies/",
                json={"body": "Bakıyoruz."},
                headers={"Idempotency-Key": uuid.uuid4().hex},
                name="reply",
            )


class Admin(_App):
    weight = 1
    username = "premium-admin"

    @task
    def report(self):
        now = datetime.datetime.now(datetime.UTC)
        period = {"from": (now - datetime.timedelta(days=30)).isoformat(), "to": now.isoformat()}
        self.client.get("/api/v1/reports/summary/", params=period, name="report")
