"""Dates as Swahili writes them: day, month name, year ("3 Desemba 2026"), the way Kinyarwanda
does; Django ships Swahili month names but no Swahili formats."""

from allforrwanda.formats.rw.formats import (  # noqa: F401 - read by Django by name
    DATE_FORMAT,
    DATE_INPUT_FORMATS,
    DATETIME_FORMAT,
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    NUMBER_GROUPING,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    THOUSAND_SEPARATOR,
    TIME_FORMAT,
    YEAR_MONTH_FORMAT,
)
