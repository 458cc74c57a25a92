"""Rendered page fragments that change only when the state behind them changes.

``render_memoized`` caches a fragment under a digest of everything it is rendered from (the
entry table: the indicators and stored figures the view has just read).

``get_or_render`` caches a fragment whose data the view does not read on every request (the
ranking of a results page). Such a fragment is cached under a key built from stamps that the view
reads from the database on every request anyway (the period row with its ``version``, the ids of
the period's score runs and of the previous period's current run), plus who is looking (everyone
who sees everything gets one fragment; each unit gets its own). Any change that can alter the
fragment changes one of those stamps:

* computing and correcting add a run (a run's results are never changed in place);
* editing a scheme's units, groups or indicators (admin site, ``kaohe_load_scheme``) bumps
  ``Period.version`` of every period of that scheme (the signal handlers below).

So the cache is correct across gunicorn workers although each worker has its own
(Django's default local-memory cache): a worker can only ever find a fragment built from the same
state, never an older one. Permission checks are not cached; they run on every request before a
fragment is looked up.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

SECONDS = 24 * 3600  # a fragment is only ever replaced by a new key; this just bounds memory


def get_or_render(key: str, render) -> str:
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, str(html), SECONDS)
    return mark_safe(html)


def render_memoized(template_name: str, source, context) -> str:
    """A fragment rendered from nothing but what ``source()`` returns (plain values: the rows it
    is built from, as the database returned them, and flags), cached under a digest of those
    values: other values, another key, so no invalidation is needed. ``context()`` builds the
    template's context from the same data; it runs only when the fragment is not cached yet, and
    the result is cached only if ``source()`` still returns the same afterwards (nothing changed
    in between)."""
    values = source()
    digest = hashlib.blake2b(repr(values).encode(), digest_size=20).hexdigest()
    key = f"kaohe:memo:{template_name}:{digest}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(template_name, context())
        if source() == values:
            cache.set(key, str(html), SECONDS)
    return mark_safe(html)


def audience(caps) -> str:
    """Who a fragment is built for: what the user may see (everything or their own unit's
    details) and which unit is theirs (marked in the ranking)."""
    return f"{'all' if caps.sees_everything else 'own'}:{caps.unit_id or 0}"


def bump_periods(**filters) -> None:
    """Mark every period matching ``filters`` as changed (their fragments are rebuilt)."""
    from .models import Period

    Period.objects.filter(**filters).update(version=F("version") + 1)


def _scheme_changed(sender, instance, **kwargs):
    from .models import Indicator, Scheme, Unit, UnitGroup

    if kwargs.get("raw"):
        return  # loading fixtures
    if sender is Scheme:
        bump_periods(scheme_id=instance.pk)
    elif sender is UnitGroup:
        bump_periods(scheme_id=instance.scheme_id)
    elif sender in (Unit, Indicator):
        bump_periods(scheme__groups__id=instance.group_id)


def connect_signals() -> None:
    from .models import Indicator, Scheme, Unit, UnitGroup

    for model in (Scheme, UnitGroup, Unit, Indicator):
        uid = f"kaohe-pagecache-{model.__name__}"
        post_save.connect(_scheme_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_scheme_changed, sender=model, dispatch_uid=uid + "-delete")
