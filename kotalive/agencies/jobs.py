"""Agencies' worker job (kotalive/core/jobs.py)."""

from kotalive.agencies.idempotency import idempotency_forget_old
from kotalive.core.jobs import periodic

periodic("agencies.idempotency-forget")(idempotency_forget_old)  # keys are unique for a day, then forgotten
