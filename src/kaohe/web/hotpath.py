"""The lookups every page view makes, as plain SQL.

Django's ORM spends about 0.3–0.5 ms of CPU building and compiling each query, several times what
SQLite or PostgreSQL need to answer a primary-key lookup. Every signed-in page reads the session,
the user, the user's membership and usually a period; written here once as SQL (table and column
names come from the models' metadata) and hydrated by ``Model.objects.raw()``, which applies the
database's value converters, these cost about 0.1 ms each. Nothing is cached: every request still
reads the current rows, so logging out, deactivating a user or changing a role takes effect on the
next request.
"""

from __future__ import annotations

import logging
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db as db_sessions
from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django.utils import timezone


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _by_pk_sql(model) -> str:
    meta = model._meta
    return f"SELECT * FROM {_q(meta.db_table)} WHERE {_q(meta.pk.column)} = %s"


def by_pk(model, pk):
    """The row of ``model`` with primary key ``pk``, or None."""
    rows = list(model.objects.raw(_by_pk_sql(model), [pk]))
    return rows[0] if rows else None


@cache
def _select_sql(model, fields: tuple, order: tuple) -> str:
    meta = model._meta
    where = " AND ".join(f"{_q(meta.get_field(f).column)} = %s" for f in fields)
    sql = f"SELECT * FROM {_q(meta.db_table)} WHERE {where}"
    if order:
        sql += " ORDER BY " + ", ".join(_q(meta.get_field(f).column) for f in order)
    return sql


def select(model, *, order: tuple = (), **equal) -> list:
    """The rows of ``model`` whose columns equal the given values (plain values: ids, not model
    instances), sorted by ``order`` (field names, ascending)."""
    keys = tuple(sorted(equal))
    sql = _select_sql(model, keys, tuple(order))
    return list(model.objects.raw(sql, [equal[k] for k in keys]))


@cache
def _entry_table_sql() -> str:
    from .models import Entry, Indicator

    i, e = Indicator._meta, Entry._meta

    def col(meta, name):
        return _q(meta.get_field(name).column)

    return (
        f"SELECT i.*, e.* FROM {_q(i.db_table)} i LEFT JOIN {_q(e.db_table)} e"
        f" ON e.{col(e, 'indicator')} = i.id AND e.{col(e, 'period')} = %s"
        f" AND e.{col(e, 'unit')} = %s"
        f" WHERE i.{col(i, 'group')} = %s ORDER BY i.{col(i, 'order')}, i.id"
    )


def entry_table_values(period_id, unit) -> list[tuple]:
    """A unit's indicators, each with its stored entry in the period (or NULLs), as the database
    returns them, in one query: what the entry table is rendered from."""
    with connection.cursor() as cursor:
        cursor.execute(_entry_table_sql(), [period_id, unit.pk, unit.group_id])
        return cursor.fetchall()


def raw_one(model, sql: str, params):
    rows = list(model.objects.raw(sql, params))
    return rows[0] if rows else None


def as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SessionStore(db_sessions.SessionStore):
    """Django's database sessions, loaded with one plain query (SESSION_ENGINE)."""

    def _get_session_from_db(self):
        try:
            # the key is validated (SuspiciousOperation) by the session_key property
            s = by_pk(self.model, self.session_key) if self.session_key else None
        except SuspiciousOperation as e:
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            s = None
        if s is None or s.expire_date <= timezone.now():
            self._session_key = None
            return None
        return s


class AuthBackend(ModelBackend):
    """Django's ModelBackend (password check, permissions) with the per-request user lookup as
    one plain query (AUTHENTICATION_BACKENDS)."""

    def get_user(self, user_id):
        pk = as_int(user_id)
        user = by_pk(get_user_model(), pk) if pk is not None else None
        return user if user is not None and self.user_can_authenticate(user) else None


@cache
def _membership_sql() -> str:
    from .models import Membership

    meta = Membership._meta
    through = Membership.can_provide.through._meta
    fk = _q(through.get_field("membership").column)
    return (
        f"SELECT m.*, EXISTS (SELECT 1 FROM {_q(through.db_table)} p WHERE p.{fk} = m.id)"
        f" AS provides_any FROM {_q(meta.db_table)} m"
        f" WHERE m.{_q(meta.get_field('user').column)} = %s"
    )


def membership(user):
    """The user's Membership with its unit, and ``provides_any``: whether it provides any
    indicator."""
    from .models import Membership, Unit

    m = raw_one(Membership, _membership_sql(), [user.pk])
    if m is not None:
        m.provides_any = bool(m.provides_any)
        if m.unit_id is not None:
            m.unit = by_pk(Unit, m.unit_id)
    return m


@cache
def _scheme_unit_sql() -> str:
    from .models import Unit, UnitGroup

    u, g = Unit._meta, UnitGroup._meta
    return (
        f"SELECT u.* FROM {_q(u.db_table)} u JOIN {_q(g.db_table)} g"
        f" ON u.{_q(u.get_field('group').column)} = g.id"
        f" WHERE u.id = %s AND g.{_q(g.get_field('scheme').column)} = %s"
    )


def scheme_unit(unit_id, scheme_id):
    """The unit ``unit_id`` if it belongs to scheme ``scheme_id``, else None."""
    from .models import Unit

    pk = as_int(unit_id)
    return raw_one(Unit, _scheme_unit_sql(), [pk, scheme_id]) if pk is not None else None


@cache
def _runs_sql() -> str:
    from .models import ScoreRun

    meta = ScoreRun._meta
    period, current = _q(meta.get_field("period").column), _q(meta.get_field("current").column)
    columns = ", ".join(_q(meta.get_field(f).column) for f in ("id", "created_at", "reason"))
    return (
        f"SELECT {columns}, {period}, {current} FROM {_q(meta.db_table)}"
        f" WHERE {period} = %s OR ({period} = %s AND {current} = %s)"
        f" ORDER BY {_q(meta.get_field('created_at').column)} DESC, id DESC"
    )


def runs(period):
    """The period's score runs (without their inputs), newest first, and the id of the previous
    period's current run (or None)."""
    from .models import ScoreRun

    found = list(ScoreRun.objects.raw(_runs_sql(), [period.pk, period.previous_id or 0, True]))
    own = [r for r in found if r.period_id == period.pk]
    previous = next((r.pk for r in found if r.period_id != period.pk), None)
    return own, previous
