"""API keys and the write log (admin only)."""

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from service.api.access import Admin, Context
from service.api.pages import Page, PageOf, page
from service.api.problems import InvalidInput
from store.keys import ROLE_MEANINGS, Role

router = APIRouter(tags=["keys"])


class KeyIn(BaseModel):
    """A key to create."""

    role: Role
    name: str = Field(min_length=1, max_length=200, description="who uses it, e.g. 评分系统")


@router.get("/keys", response_model=Page[dict[str, Any]], summary="API keys")
def list_keys(context: Context, _key: Admin, paging: PageOf) -> dict[str, Any]:
    """Keys (never their secret), with role, creator and revocation time."""
    return page([dataclasses.asdict(k) for k in context.keys.list()], paging)


@router.post("/keys", status_code=201, summary="Create an API key")
def create_key(body: KeyIn, context: Context, key: Admin) -> dict[str, Any]:
    """Create a key; the answer holds the key itself, shown this once."""
    if not body.name.strip():
        raise InvalidInput("name: a key needs a name saying who uses it")
    token, record = context.keys.create(role=body.role, name=body.name, created_by=key.name)
    context.audit.record(actor=key.name, action="keys.create", id=record.id, role=body.role, name=body.name)
    return {**dataclasses.asdict(record), "key": token, "role_means": ROLE_MEANINGS[body.role]}


@router.delete("/keys/{key_id}", summary="Revoke an API key")
def revoke_key(key_id: Annotated[int, Path(ge=1, le=2**62)], context: Context, key: Admin) -> dict[str, Any]:
    """Revoke a key; requests with it are refused from now on."""
    record = context.keys.revoke(key_id)
    context.audit.record(actor=key.name, action="keys.revoke", id=key_id)
    return dataclasses.asdict(record)


@router.get("/audit", response_model=Page[dict[str, Any]], summary="Who wrote what")
def list_audit(context: Context, _key: Admin, paging: PageOf) -> dict[str, Any]:
    """The write log, newest first."""
    total, items = context.audit.entries(limit=paging.limit, offset=paging.offset)
    return {"total": total, "limit": paging.limit, "offset": paging.offset, "items": items}
