"""Tracking numbers, one mechanism for every subject kind: `<PREFIX>-<yyyymmdd>-<n>`, n counting per prefix and day.

A number is taken in its own single-statement transaction (an upsert that returns the new count), before the use
case's transaction opens, so no submission holds a counter row while it validates, writes and audits: the row is
locked for the microseconds of one statement. A use case that fails after taking a number leaves a gap, as a
database sequence would.
"""

import datetime as dt

from django.db import connection, transaction

from kotalive.core.models import NumberCounter

_TAKE_SQL = (
    f"INSERT INTO {NumberCounter._meta.db_table} (series, day, last) VALUES (%s, %s, 1) "  # noqa: S608 (table name)
    "ON CONFLICT (series, day) DO UPDATE SET last = "
    f"{NumberCounter._meta.db_table}.last + 1 RETURNING last"
)


def number_take(*, series: str, day: dt.date) -> int:
    """The next number of `series` on `day`. Refused inside a transaction (durable): there it would hold the
    counter's row lock until that transaction ends, which is what this module exists to avoid."""
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute(_TAKE_SQL, [series, connection.ops.adapt_datefield_value(day)])
        return int(cursor.fetchone()[0])


def tracking_number(*, prefix: str, day: dt.date, width: int = 5) -> str:
    """A new tracking number `<prefix>-<yyyymmdd>-<n>` (n zero-padded to `width` digits)."""
    return f"{prefix}-{day:%Y%m%d}-{number_take(series=prefix, day=day):0{width}d}"


def numbers_last() -> dict[tuple[str, dt.date], int]:
    """The last number given out per (series, day): synthetic data continues after it."""
    return {(c.series, c.day): c.last for c in NumberCounter.objects.all()}


def number_raise_to(*, series: str, day: dt.date, last: int) -> None:
    """Move a counter past numbers given out in bulk (synthetic data); never moves it back."""
    counter, _created = NumberCounter.objects.get_or_create(series=series, day=day)
    if counter.last < last:
        counter.last = last
        counter.save(update_fields=["last"])
