"""Database helpers shared by the apps' services."""

from collections.abc import Sequence
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models

M = TypeVar("M", bound=models.Model)


def bulk_insert(objs: Sequence[M]) -> Sequence[M]:
    """Insert new rows of one model and set their ids: `bulk_create`, but through COPY on
    PostgreSQL, where building bulk_create's parameter arrays in Python costs more than the
    insert itself. Takes the ids from the table's sequence first, as bulk_create returns them.
    """
    if not objs:
        return objs
    model = type(objs[0])
    # The connection itself, not the `django.db.connection` proxy: its attribute lookups add
    # up over a value per field per row.
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    meta = model._meta
    fields = meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(field)) for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj, pk in zip(objs, ids, strict=True):
                obj.pk = pk
                # pre_save fills auto_now and auto_now_add fields, as save() would.
                copy.write_row(
                    [
                        field.get_db_prep_save(field.pre_save(obj, True), connection)
                        for field in fields
                    ]
                )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def _column(field: models.Field) -> str:
    # Every concrete field has a column (that is what makes it concrete); the stubs type
    # `column` as optional for the fields that have none.
    assert field.column is not None, f"{field} is not a concrete field"
    return field.column
