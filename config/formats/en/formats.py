"""English: the same day-month-year dates as Indonesian (06-12-2026), so a date reads and is typed alike in both
languages (never the American month first); times on the 24-hour clock. Only the number separators differ."""

from config.formats.id.formats import (  # noqa: F401 (Django reads these names from this module)
    DATE_FORMAT,
    DATE_INPUT_FORMATS,
    DATETIME_FORMAT,
    DATETIME_INPUT_FORMATS,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    NUMBER_GROUPING,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    TIME_FORMAT,
    YEAR_MONTH_FORMAT,
)

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
