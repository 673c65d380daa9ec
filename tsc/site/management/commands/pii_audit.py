from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tsc.site.pii_audit import audit


class Command(BaseCommand):
    help = (
        "Scan the database, stored files and logs for personal data in clear (SSNs, TINs, bank account "
        "numbers, unhashed passwords or identity answers). Exits non-zero on any find; never prints a value."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="More folders to scan (logs), besides VAR_DIR.")

    def handle(self, *args, **options):
        finds, summary = audit([Path(p) for p in options["paths"]])
        self.stdout.write(
            f"Checked {summary['secrets']} encrypted secrets (skipped {summary['too_short']} too short to search "
            f"for) against every text column and {', '.join(summary['folders'])}."
        )
        for find in finds:
            self.stdout.write(f"FOUND {find}")
        if finds:
            raise CommandError(f"{len(finds)} place(s) hold personal data in clear.")
        self.stdout.write(self.style.SUCCESS("No personal data in clear."))
