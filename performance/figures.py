"""Columns other apps add to the performance report, without this app importing them.

Learning and bookings (trainings attended, workshops joined) are apps of the same layer and are
not imported from here; the composition layer (`portal`) registers a provider for each in
PortalConfig.ready:

    from performance.figures import FigureProvider, figure_provider_register

    figure_provider_register(FigureProvider(
        key="trainings_attended",
        label=_("Trainings attended"),
        collect=trainings_attended_by_group,
    ))

`collect(institution=…, people=…, group_field=…, start=…, end=…)` returns {group value: figure}:
`people` is the queryset of the people the reader may see, `group_field` the person's field the
report groups by (`pk`, `unit_id` or `region_id`), `start`/`end` the period's first and last day
(Europe/Istanbul). It must answer in a fixed number of queries (an aggregate grouped by
`<relation to the person>__<group_field>`), and count only what belongs to `people`. The report
shows a column per registered provider, so it shows exactly the features that exist."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from organizations.models import Institution


@dataclass(frozen=True)
class FigureProvider:
    key: str
    label: str
    collect: Callable[..., dict]


_PROVIDERS: dict[str, FigureProvider] = {}


def figure_provider_register(provider: FigureProvider) -> None:
    """Add (or replace, by key) a column of the report."""
    _PROVIDERS[provider.key] = provider


def figure_provider_unregister(key: str) -> None:
    _PROVIDERS.pop(key, None)


def figure_providers() -> list[FigureProvider]:
    return list(_PROVIDERS.values())


def figures_collect(
    *, institution: Institution, people: QuerySet, group_field: str, start: datetime.date, end: datetime.date
) -> dict[str, dict]:
    """Every registered provider's figures: {provider key: {group value: figure}}."""
    return {
        provider.key: provider.collect(
            institution=institution, people=people, group_field=group_field, start=start, end=end
        )
        for provider in _PROVIDERS.values()
    }
