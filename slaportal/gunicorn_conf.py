"""gunicorn's hooks for /metrics across workers (`gunicorn -c python:slaportal.gunicorn_conf`):
with PROMETHEUS_MULTIPROC_DIR set, every worker writes its request latency into that folder and a
scrape adds them up (slaportal/metrics.py). The folder is emptied when gunicorn starts, so figures
of a previous run are not counted again, and a worker's live gauges go when it exits."""

import os
import shutil


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
