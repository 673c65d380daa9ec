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


@task()
def process_returns(tax_return_ids: list[int]) -> int:
    """A batch of returns filed on time (a bulk filer's File Import): each processed as
    `process_return` would, in one task instead of one task per return. Returns how many."""
    from tsc.filing.models import TaxReturn

    from .services import return_process

    done = 0
    for tax_return in TaxReturn.objects.filter(pk__in=tax_return_ids).order_by("pk").iterator(chunk_size=500):
        return_process(tax_return=tax_return)
        done += 1
    return done
