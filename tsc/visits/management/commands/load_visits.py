"""Load finished visit files now: `manage.py load_visits [--purge]` (the worker does it every 10 minutes)."""

from django.core.management.base import BaseCommand

from tsc.visits.services import visits_load, visits_purge


class Command(BaseCommand):
    help = "Load the visit files of hours that have ended into the database, then delete them."

    def add_arguments(self, parser):
        parser.add_argument("--purge", action="store_true", help="also delete visits past their retention")

    def handle(self, *args, **options):
        result = visits_load()
        self.stdout.write(
            f"Loaded {result.visits} visit(s) from {result.files} file(s)"
            + (f"; {result.bad_lines} unreadable line(s) skipped" if result.bad_lines else "")
            + "."
        )
        if options["purge"]:
            self.stdout.write(f"Deleted {visits_purge()} visit(s) past their retention.")
