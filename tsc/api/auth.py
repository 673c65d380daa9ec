"""`Authorization: Bearer tsc_<prefix>_<secret>`, one scope per operation, a rate limit per token.

No token, a malformed, unknown or revoked one: 401. A live token without the operation's scope:
403. Over the token's calls a minute: 429 with Retry-After. The token is on `request.auth` (and
`request.api_token`, set as soon as it is known, so even a refused call is audited against it).
"""

from ninja.security import HttpBearer

from . import services
from .models import Scope


class ApiError(Exception):
    """An answer other than success: `status`, a plain-language `detail`, the `field` it is about."""

    def __init__(self, status: int, detail: str, *, field: str | None = None, headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.headers = headers or {}


class TokenAuth(HttpBearer):
    def __init__(self, scope: Scope):
        super().__init__()
        self.scope = scope

    def authenticate(self, request, token: str):
        found = services.token_authenticate(token)
        if found is None:
            return None
        request.api_token = found
        if (wait := services.rate_limited(found)) is not None:
            raise ApiError(
                429,
                f"Too many requests with this token. Wait {wait} seconds and try again.",
                headers={"Retry-After": str(wait)},
            )
        services.token_touch(found)
        if not found.allows(self.scope):
            raise ApiError(403, f"This token does not have the {self.scope} scope. Create a token that has it.")
        return found
