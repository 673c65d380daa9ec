"""What a CSV File Import learns about the firm's clients, kept from batch to batch of one run.

A file of 50,000 rows names the same few hundred clients in every batch: their authorization,
business, registrations, banking on file and the firm's login acting for them are loaded the
first time a client appears, not once per batch. Whether each authorization is still in force is
asked again for every batch (one light query), so a client that withdraws the firm's
authorization during a long import is refused from the next batch on.
"""

from tsc.accounts.acting import Acting
from tsc.accounts.models import Login
from tsc.accounts.rights import Action, may
from tsc.filing.batch import any_of
from tsc.payments.models import BankAccount
from tsc.taxpayers.models import Business, Registration

from .models import BulkImport, ClientAuthorization

TAX_TYPE_CODES = ("ST", "WH")


class Clients:
    def __init__(self, bulk_import: BulkImport, login: Login):
        self.bulk_filer_id, self.login = bulk_import.bulk_filer_id, login
        self.businesses: dict[str, int] = {}  # registration number → business id (the businesses found)
        self.authorizations: dict[int, ClientAuthorization] = {}  # pk → with client and bulk_filer
        self.registrations: dict[tuple[int, str], Registration] = {}  # (client, tax type code) →
        self.banks: set[tuple[int, int]] = set()  # (client, tax type) with banking on file
        self.loaded: set[int] = set()  # clients whose registrations and banking are loaded
        self.contexts: dict[int, Acting] = {}  # authorization → the firm's login acting for it
        self.rights: dict[tuple[int, int], bool] = {}  # (authorization, tax type) → may file

    def in_force(self, numbers: set[str]) -> dict[str, ClientAuthorization]:
        """{registration number: authorization} of the firm's clients among `numbers`, as of now."""
        # The businesses by registration number, learnt once per run (a number never changes
        # hands); then, every batch, the firm's live authorizations of those businesses, by its
        # partial unique index. One join by the numbers was planned, prepared, as a walk of every
        # client of the firm with the batch's 500 numbers searched one by one for each: 10-27 ms
        # of the server a batch, against about 1 ms.
        if unknown := [number for number in numbers if number not in self.businesses]:
            found_now = Business.objects.filter(any_of("registration_number", unknown)).order_by()
            self.businesses.update(found_now.values_list("registration_number", "pk"))
        wanted = {self.businesses[number]: number for number in numbers if number in self.businesses}
        live = ClientAuthorization.objects.filter(
            any_of("client_id", wanted), bulk_filer_id=self.bulk_filer_id, revoked_at__isnull=True
        )
        found = {wanted[client_id]: pk for client_id, pk in live.order_by().values_list("client_id", "pk")}
        if new := [pk for pk in found.values() if pk not in self.authorizations]:
            for a in ClientAuthorization.objects.filter(pk__in=new).select_related("client", "bulk_filer"):
                self.authorizations[a.pk] = a
        clients = {number: self.authorizations[pk] for number, pk in found.items()}
        self._load([a.client_id for a in clients.values() if a.client_id not in self.loaded])
        return clients

    def _load(self, client_ids: list[int]) -> None:
        if not client_ids:
            return
        registrations = Registration.objects.filter(business_id__in=client_ids, tax_type__code__in=TAX_TYPE_CODES)
        for r in registrations.select_related("tax_type", "business"):
            self.registrations[(r.business_id, r.tax_type.code)] = r
        banks = BankAccount.objects.filter(business_id__in=client_ids).values_list("business_id", "tax_type_id")
        self.banks.update(banks)
        self.loaded.update(client_ids)

    def context(self, authorization: ClientAuthorization) -> Acting:
        if authorization.pk not in self.contexts:
            self.contexts[authorization.pk] = Acting.bulk_filer_for(self.login, authorization)
        return self.contexts[authorization.pk]

    def may_file(self, authorization: ClientAuthorization, tax_type) -> bool:
        key = (authorization.pk, tax_type.pk)
        if key not in self.rights:
            self.rights[key] = may(self.context(authorization), Action.SUBMIT_RETURN, tax_type=tax_type)
        return self.rights[key]
