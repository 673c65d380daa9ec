from django.tasks import task


@task()
def process_return(tax_return_id: int) -> str:
    """A return filed on time is processed as soon as it is filed: its tax goes on the ledger.
    Late returns wait in the back office's work queue for a clerk (their penalty is reviewed)."""
    from tsc.filing.models import TaxReturn

    from .services import return_process

    tax_return = TaxReturn.objects.filter(pk=tax_return_id).first()
    if tax_return is None:
        return "gone"
    return_process(tax_return=tax_return)
    return "processed"
