from django.core.management.base import BaseCommand

from tsc.site.demo import DEMO_PASSWORD, DEMO_STAFF, seed_demo


class Command(BaseCommand):
    help = "Create the demo businesses and logins (idempotent)."

    def handle(self, *args, **options):
        notes = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Business 1234567-000: admin1, viewer, filer, payer, filepay, noaccess, locked1; "
                f"business 7654321-000: admin2; DRS back office (/drs-admin/, two-factor set up at the first "
                f"sign-in): {DEMO_STAFF}. Password for all: {DEMO_PASSWORD}"
            )
        )
        for note in notes:
            self.stdout.write(note)
