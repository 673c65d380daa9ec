"""Which return form each tax type files, and how it is computed."""

from collections.abc import Callable
from dataclasses import dataclass

from .computations import CT941_FIELDS, OS114_FIELDS, Computation, ct941, os114


@dataclass(frozen=True)
class ReturnForm:
    name: str
    title: str
    fields: tuple[tuple[str, str], ...]
    compute: Callable[..., Computation] | None  # None: built from attached records (CT-1096)


RETURN_FORMS = {
    "ST": ReturnForm("OS-114", "Sales and Use Tax Return", OS114_FIELDS, os114),
    "WH": ReturnForm("CT-941", "Connecticut Reconciliation of Withholding", CT941_FIELDS, ct941),
    "WN": ReturnForm("CT-1096", "Connecticut Annual Summary and Transmittal of Information Returns", (), None),
}
