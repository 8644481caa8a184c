"""Pagination of list endpoints: `limit` and `offset` in, `total` and `items` out."""

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from service.api.context import Services, services
from service.api.problems import InvalidInput

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    total: int
    limit: int
    offset: int
    items: list[T]


class Paging(BaseModel):
    """The page asked for."""

    limit: int
    offset: int

    def slice(self, items: list[Any]) -> list[Any]:
        """The part of `items` on this page."""
        return items[self.offset : self.offset + self.limit]


async def paging(
    context: Annotated[Services, Depends(services)],
    limit: Annotated[int, Query(ge=1, le=100_000, description="items per page")] = 100,
    offset: Annotated[int, Query(ge=0, le=10**12, description="items to skip")] = 0,
) -> Paging:
    """The requested page, within the configured largest page."""
    largest = context.settings.max_page_size
    if limit > largest:
        raise InvalidInput(f"limit {limit} is larger than the largest page, {largest}; page with offset")
    return Paging(limit=limit, offset=offset)


PageOf = Annotated[Paging, Depends(paging)]


def page(items: list[Any], paging: Paging) -> dict[str, Any]:
    """A page of an in-memory list."""
    return {"total": len(items), "limit": paging.limit, "offset": paging.offset, "items": paging.slice(items)}
