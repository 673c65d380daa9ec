"""The one error type for a rule that refuses a change, whichever app's rule it is."""


class ServiceError(Exception):
    """A rule refused the change; `field` says which form field the message belongs next to."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
