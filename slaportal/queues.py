"""The Celery queues of the product, in the order a worker serves them. No imports: `dev.py` reads
this file with the system interpreter, before anything is installed.

- `sla_sweep`: only the beat's SLA sweep, so it never waits behind a burst of timers or routing.
- `sla`: per-ticket warning and breach timers, the outbox drain and the routing drain.
- `routing_p1` … `routing_p4`: routing of new tickets by contract priority.
- `celery`: the rest (the outbox drain sent after a commit, quota notices, purges).
"""

SWEEP_QUEUE = "sla_sweep"
QUEUES = (SWEEP_QUEUE, "sla", "routing_p1", "routing_p2", "routing_p3", "routing_p4", "celery")
