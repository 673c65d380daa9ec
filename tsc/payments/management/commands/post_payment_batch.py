"""Post a sent bank batch as processed, or mark payments returned by the bank.

manage.py post_payment_batch --date mm/dd/yyyy
manage.py post_payment_batch --return TSC-XXXX-XXXX-XXXX R01
"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from tsc.lib.errors import ServiceError
from tsc.payments.batch import payment_batch_post, payment_return
from tsc.payments.models import PaymentBatch


class Command(BaseCommand):
    help = "Post a sent bank batch as processed, or record a payment returned by the bank."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the batch's send date, mm/dd/yyyy")
        parser.add_argument("--return", nargs=2, metavar=("CONFIRMATION", "REASON"), dest="returned")

    def handle(self, *args, **options):
        if options["returned"]:
            try:
                payment = payment_return(confirmation_number=options["returned"][0], reason=options["returned"][1])
            except ServiceError as error:
                raise CommandError(error.message) from None
            self.stdout.write(f"Payment {payment.confirmation_number} returned by the bank ({payment.return_reason}).")
            return
        if not options["date"]:
            raise CommandError("Give --date mm/dd/yyyy, or --return CONFIRMATION REASON.")
        try:
            day = datetime.strptime(options["date"], "%m/%d/%Y").date()  # noqa: DTZ007 - a date
        except ValueError:
            raise CommandError("--date must be mm/dd/yyyy.") from None
        batch = PaymentBatch.objects.filter(send_date=day).first()
        if batch is None:
            raise CommandError(f"No bank batch was sent on {day:%m/%d/%Y}.")
        self.stdout.write(f"Posted {payment_batch_post(batch=batch)} payment(s) of the {day:%m/%d/%Y} batch.")
