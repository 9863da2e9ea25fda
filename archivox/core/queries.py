"""Small helpers for the ORM's hot paths."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def found(queryset: models.QuerySet[M]) -> M | None:
    """The row a lookup by a unique key finds, or None.

    ``.first()`` orders the query (by the model's ordering, else the primary key), and for an
    ordered query Django matches each selected column against the order while compiling it:
    with a wide ``select_related`` that was the costliest part of a delivery's claim and of the
    WeChat sandbox's token check (issue 24, profiled). A lookup by a unique key needs no order.
    """
    return next(iter(queryset.order_by()[:1]), None)
