"""What a service wrote, or what it told the person it refused."""

import re
from collections.abc import Callable

import pytest
from django.test.utils import CaptureQueriesContext

from complaints.errors import ComplaintError


def refusal(call: Callable[[], object]) -> str:
    """What the person is told when the service refuses."""
    with pytest.raises(ComplaintError) as refused:
        call()
    return str(refused.value)


def columns_updated(queries: CaptureQueriesContext, table: str) -> list[set[str]]:
    """The columns each UPDATE of the table wrote: a service saves only what it changed."""
    found = []
    for query in queries.captured_queries:
        written = re.match(r'UPDATE "(\w+)" SET (.*) WHERE', query["sql"])
        if written and written.group(1) == table:
            found.append(set(re.findall(r'"(\w+)" = ', written.group(2))))
    return found
