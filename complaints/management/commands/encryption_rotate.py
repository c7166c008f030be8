from django.core.management.base import BaseCommand

from complaints import crypto
from complaints.rotation import evidence_files_reencrypt, history_reencrypt, records_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field and evidence file under the first key of "
        "FIELD_ENCRYPTION_KEYS. Afterwards the other keys can be removed (see SECURITY.md)."
    )

    def add_arguments(self, parser: object) -> None:
        parser.add_argument(
            "--new-key", action="store_true", help="Only print a freshly generated key and exit."
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["new_key"]:
            self.stdout.write(crypto.new_key())
            return
        active = crypto.keyring().active_id
        rows = records_reencrypt()
        files = evidence_files_reencrypt()
        history = history_reencrypt()  # last: it also catches what the two above just wrote
        self.stdout.write(
            f"Active key {active!r}: re-encrypted {rows} record(s), {files} evidence file(s) "
            f"and {history} history record(s)."
        )
