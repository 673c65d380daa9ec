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
    `process_return` would, in one task instead of one task per return. One that fails is
    logged and left in the back office's work queue, as a failed `process_return` would leave
    it; the others are processed. Returns how many were."""
    import logging

    from tsc.filing.models import TaxReturn

    from .services import return_process

    done = 0
    for tax_return in TaxReturn.objects.filter(pk__in=tax_return_ids).order_by("pk").iterator(chunk_size=500):
        try:
            return_process(tax_return=tax_return)
        except Exception:
            logging.getLogger(__name__).exception("return %s could not be processed", tax_return.pk)
            continue
        done += 1
    return done
