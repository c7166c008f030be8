"""Export the case list as the admin shows it to one staff account, for scheduled jobs.

    manage.py export_complaints --user data1 --filter status__exact=triage --search K2Q2 \
        --level case_list --format csv --output triage.csv

The filters are the case list's own query-string parameters (copy them from the list's address
after choosing filters there), so a scheduled file holds what that list would show the account.
The account's permissions decide the levels, as on the export page; the export is recorded with
the account as exporter, and the file's SHA-256 and row count are printed when it is written.
"""

import sys
from pathlib import Path

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import translation

from complaints.models import Complaint
from monitoring.exports import (
    ExportRefused,
    changelist_of,
    export_start,
    export_stream,
    rows_for_level,
)
from monitoring.models import ExportFormat, ExportLevel, ExportSource


class Command(BaseCommand):
    help = "Export the complaint case list with the admin's filters, as one staff account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the staff account exporting")
        parser.add_argument(
            "--level", choices=[level.value for level in ExportLevel], default="case_list"
        )
        parser.add_argument("--format", choices=[f.value for f in ExportFormat], default="csv")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a parameter of the case list's address, e.g. status__exact=triage (repeatable)",
        )
        parser.add_argument("--search", default="", help="what the list's search box would hold")
        parser.add_argument("--purpose", default="", help="needed for --level identity")
        parser.add_argument("--language", default="en", help="of the headers and labels")
        parser.add_argument("--output", required=True, help="the file to write, or - for stdout")

    def handle(self, *args: object, **options: object) -> None:
        user = self._user(options["user"])
        params = self._params(options["filter"], options["search"])
        request = RequestFactory().get("/staff/complaints/complaint/", data=params)
        request.user = user
        level = ExportLevel(options["level"])
        with translation.override(options["language"]):
            try:
                changelist = changelist_of(admin.site._registry[Complaint], request)
                record = export_start(
                    by=user,
                    level=level,
                    file_format=ExportFormat(options["format"]),
                    source=ExportSource.COMMAND,
                    filters=params.urlencode(),
                    purpose=options["purpose"],
                )
            except ExportRefused as refusal:
                raise CommandError(refusal.message) from refusal
            cases = rows_for_level(user, changelist.queryset, level)
            stream = export_stream(record=record, cases=cases, language=options["language"])
            try:
                self._write(stream, options["output"])
            finally:
                stream.close()  # a failed write (a full disk) is recorded as cut off
        record.refresh_from_db()
        self.stderr.write(
            f"{record.end.row_count} rows; SHA-256 {record.end.sha256}; export {record.uid}"
        )

    def _user(self, username: str) -> object:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not user.is_staff:
            raise CommandError(f"No active staff account is named {username!r}.")
        return user

    def _params(self, filters: list[str], search: str) -> QueryDict:
        params = QueryDict(mutable=True)
        for item in filters:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise CommandError(f"--filter takes NAME=VALUE, not {item!r}.")
            params.appendlist(name, value)
        if search:
            params["q"] = search
        return params

    def _write(self, stream: object, output: str) -> None:
        if output == "-":
            for chunk in stream:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return
        with Path(output).open("wb") as file:
            for chunk in stream:
                file.write(chunk)
