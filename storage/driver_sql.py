"""Core statements run straight on the driver's cursor, for the few every update runs.

SQLAlchemy's way to run a Core statement (the compiled-cache lookup, an execution context, the
result set-up, the events) cost 0.2–0.35 ms of Python per statement inside an update on the
machine we bench on — more than SQLite takes to run most of them, and ten times a bare
`cursor.execute` measured alone; an update runs four or five of them (bench/README.md).
A `Prepared` statement is compiled by SQLAlchemy once per dialect (and, for an INSERT given
plain column values, per set of columns): the SQL text, the order of its parameters and the
type processors of its parameters and result columns are kept, and each run is one
`cursor.execute` with values processed as SQLAlchemy would process them. So a row written here
reads back the same through SQLAlchemy, and the other way round.

What is kept of SQLAlchemy's execution path:
- the connection's `before_cursor_execute` and `after_cursor_execute` listeners run, so the
  unit of work still drops its reads ahead at a write and the benchmark still counts statements;
- a driver error is raised as SQLAlchemy's (`DBAPIError.instance`, parameters hidden, a
  PostgreSQL row detail dropped), and a lost connection is invalidated, as SQLAlchemy does.

What is not: Python-side column defaults (a statement whose compilation needs them is refused
when it is compiled: give every column a value, `bound` names them all), expanding IN
parameters, and executemany (each row is a statement of its own: an update's replies are one
to three rows).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Connection, Table, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

from storage.database import drop_row_detail

Processor = Callable[[Any], Any] | None


class DriverResult:
    """The rows a statement returned (processed) and how many rows it changed."""

    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list[Any], rowcount: int):
        self.rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def first(self) -> Any:
        return self.rows[0] if self.rows else None

    def one(self) -> Any:
        if not self.rows:
            raise NoResultFound("No row was found when one was required")
        if len(self.rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self.rows[0]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalars(self) -> list[Any]:
        return [row[0] for row in self.rows]


@dataclass
class _Compiled:
    sql: str
    names: tuple[str, ...]  # every parameter, in the order the SQL text takes them
    positional: bool
    literals: dict[str, Any]  # values written into the statement (version + 1: the 1)
    binders: dict[str, Callable[[Any], Any]]
    column_types: list[Any]  # of the rows returned, in order
    row: Any  # the namedtuple class of a returned row (None: no rows)
    readers: list[Processor] | None = None  # result processors, set at the first run

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        processed: dict[str, Any] = {}
        for name in self.names:
            value = values[name] if name in values else self.literals[name]
            binder = self.binders.get(name)
            processed[name] = binder(value) if binder is not None and value is not None else value
        if self.positional:
            return tuple(processed[name] for name in self.names)
        return processed


class Prepared:
    """A Core statement, compiled for each dialect it is run on, run on the driver's cursor.

    `run(connection, values)`: one execution in the connection's transaction; `values` maps
    each bind parameter's name to its value (an INSERT names its parameters too:
    `insert(table).values(bound(table, ...))`)."""

    def __init__(self, statement: ClauseElement):
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        if compiled.insert_prefetch or compiled.update_prefetch:
            missing = [*compiled.insert_prefetch, *compiled.update_prefetch]
            raise ValueError(
                "a Prepared statement cannot compute Python-side column defaults: "
                + ", ".join(column.name for column in missing)
            )
        if compiled.escaped_bind_names:
            raise ValueError("a Prepared statement needs plain parameter names")
        binds = {name: param for param, name in compiled.bind_names.items()}
        # qmark (SQLite) takes the parameters in order, pyformat (psycopg) by name
        names = tuple(compiled.positiontup) if compiled.positiontup is not None else tuple(binds)
        literals = {
            name: param.effective_value for name, param in binds.items() if not param.required
        }
        binders: dict[str, Callable[[Any], Any]] = {}
        for name, param in binds.items():
            binder = param.type.dialect_impl(dialect).bind_processor(dialect)
            if binder is not None:
                binders[name] = binder
        # What a row returned holds: a SELECT's columns, or what an INSERT, UPDATE or DELETE
        # returns (on PostgreSQL an INSERT returns the new primary key even when not asked).
        returning = compiled.effective_returning
        columns = list(
            returning if returning is not None else getattr(self.statement, "exported_columns", ())
        )
        row = namedtuple("Row", [column.key for column in columns], rename=True)  # type: ignore[misc]
        return _Compiled(
            sql=compiled.string,
            names=names,
            positional=compiled.positional,
            literals=literals,
            binders=binders,
            column_types=[column.type for column in columns],
            row=row,
        )

    def run(self, connection: Connection, values: Mapping[str, Any] | None = None) -> DriverResult:
        values = values or {}
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        parameters = compiled.parameters(values)
        pooled = connection.connection
        driver = pooled.driver_connection
        assert driver is not None  # checked out: the connection holds it
        cursor = driver.cursor()
        try:
            dispatch = connection.dispatch
            dispatch.before_cursor_execute(
                connection, cursor, compiled.sql, parameters, None, False
            )
            try:
                cursor.execute(compiled.sql, parameters)
                # (not `cursor.description`: psycopg builds it anew at every look, ~40 µs)
                rows = cursor.fetchall() if compiled.column_types else []
            except dialect.loaded_dbapi.Error as error:
                raise _wrapped(connection, error, compiled.sql, parameters, cursor) from error
            dispatch.after_cursor_execute(connection, cursor, compiled.sql, parameters, None, False)
            if rows:
                rows = self._processed(compiled, dialect, cursor, rows)
            return DriverResult(rows, cursor.rowcount)
        finally:
            cursor.close()

    @staticmethod
    def _processed(
        compiled: _Compiled, dialect: Dialect, cursor: Any, rows: list[Any]
    ) -> list[Any]:
        readers = compiled.readers
        if readers is None:  # the first rows: the driver's type codes are known now
            readers = compiled.readers = [
                type_.dialect_impl(dialect).result_processor(dialect, column[1])
                for type_, column in zip(compiled.column_types, cursor.description, strict=True)
            ]
        make = compiled.row._make
        if not any(readers):
            return [make(row) for row in rows]
        return [
            make(
                reader(value) if reader is not None else value
                for reader, value in zip(readers, row, strict=True)
            )
            for row in rows
        ]


def bound(table: Table, *names: str) -> dict[str, BindParameter[Any]]:
    """`insert(table).values(bound(table, "a", "b"))`: each column a parameter of its name and
    type, so the statement names its parameters (what `Prepared` runs)."""
    return {name: bindparam(name, type_=table.c[name].type) for name in names}


def _wrapped(
    connection: Connection, error: Any, sql: str, parameters: Any, cursor: Any
) -> Exception:
    """The driver's error as SQLAlchemy raises it (see storage.database: no parameter values,
    no row detail); a lost connection invalidated, so the pool does not hand it out again."""
    dialect = connection.dialect
    drop_row_detail(error)
    lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
    if lost:
        connection.invalidate(error)
    return DBAPIError.instance(
        sql,
        parameters,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        dialect=dialect,
        connection_invalidated=lost,
    )
