"""Small helpers for the ORM's hot paths."""

from __future__ import annotations

from typing import TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)


def found(queryset: models.QuerySet[M]) -> M | None:
    """The row a lookup by a unique key finds, or None.

    ``.first()`` orders the query (by the model's ordering, else the primary key), and for an
    ordered query Django matches each selected column against the order while compiling it:
    with a wide ``select_related`` that was the costliest part of a delivery's claim and of the
    WeChat sandbox's token check (issue 24, profiled). A lookup by a unique key needs no order.
    """
    return next(iter(queryset.order_by()[:1]), None)


def counter_add(
    model: type[models.Model],
    key: dict[str, object],
    *,
    field: str = "count",
    below: int | None = None,
) -> int | None:
    """Add one to the counter row of ``model`` with ``key`` (its fields making a unique
    constraint), creating it at 1; the new count, or None when ``below`` is given and the count
    has reached it (nothing is added then).

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement (PostgreSQL, and SQLite since
    3.35): the usual UPDATE, then on a period's first call an INSERT in a transaction of its
    own, then a SELECT of the count were up to five round trips, and every API call of the
    platform sandboxes counts one or two (issue 24). The limit is in the statement itself, so
    concurrent calls cannot both take the last one."""
    if below is not None and below <= 0:
        return None
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    columns, values = [], []
    for name, value in key.items():
        model_field = meta.get_field(name)
        if isinstance(value, models.Model):  # a foreign key given as the row itself
            value = value.pk
        columns.append(quote(model_field.column))
        values.append(model_field.get_db_prep_save(value, connection))
    count = quote(meta.get_field(field).column)
    table = quote(meta.db_table)
    limit = ""
    if below is not None:
        limit = f" WHERE {table}.{count} < %s"
        values.append(below)
    # Only names from the model's own metadata, quoted, are formatted in; values are parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}, {count}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}, 1) "
        f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET {count} = {table}.{count} + 1"
        f"{limit} RETURNING {count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return None if row is None else int(row[0])
