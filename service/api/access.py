"""API-key access: who is calling, and whether their role may do what they ask."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Final, Literal

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from service.api.context import Services, services
from service.api.problems import Forbidden, NotAuthenticated
from store.keys import ApiKey

Capability = Literal["catalogue", "read", "write_readings", "operate", "admin"]

# What each role may do. `catalogue` covers sites, zones, parameters, standards, compliance,
# indicators and the scorecard: all the scoring system needs.
ROLE_CAPABILITIES: Final[dict[str, frozenset[str]]] = {
    "scoring": frozenset({"catalogue"}),
    "viewer": frozenset({"catalogue", "read"}),
    "ingest": frozenset({"write_readings"}),
    "operator": frozenset({"catalogue", "read", "write_readings", "operate"}),
    "admin": frozenset({"catalogue", "read", "write_readings", "operate", "admin"}),
}

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="the API key, as an alternative header")


async def caller(
    request: Request,
    context: Annotated[Services, Depends(services)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    header: Annotated[str | None, Security(_header)],
) -> ApiKey:
    """The key making this request; 401 problem when there is none or it is not valid."""
    token = bearer.credentials if bearer is not None else header
    if not token:
        raise NotAuthenticated(
            "this endpoint needs an API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'; "
            "an admin creates keys with `wqmon keys create --role viewer --name <who>`"
        )
    key = context.keys.verify(token)
    if key is None:
        raise NotAuthenticated("the API key is not known or has been revoked; ask an admin for a valid key")
    request.state.key = key
    return key


def allowed(capability: Capability) -> Callable[..., Awaitable[ApiKey]]:
    """A dependency: the caller's key, when its role grants `capability`; 403 problem otherwise."""

    async def check(key: Annotated[ApiKey, Depends(caller)]) -> ApiKey:
        if capability not in ROLE_CAPABILITIES.get(key.role, frozenset()):
            roles = ", ".join(r for r, caps in ROLE_CAPABILITIES.items() if capability in caps)
            raise Forbidden(f"key '{key.name}' has role {key.role!r}; this needs one of: {roles}")
        return key

    return check


Catalogue = Annotated[ApiKey, Depends(allowed("catalogue"))]
Reader = Annotated[ApiKey, Depends(allowed("read"))]
ReadingWriter = Annotated[ApiKey, Depends(allowed("write_readings"))]
Operator = Annotated[ApiKey, Depends(allowed("operate"))]
Admin = Annotated[ApiKey, Depends(allowed("admin"))]
Context = Annotated[Services, Depends(services)]
