"""Facets counted ahead: a table's unfiltered page reads its facets' counts from `summary_facets`.

Datasette counts a facet by grouping the page's rows. On an unfiltered table
that reads the column's whole index: 0.03 s at a million reports once the
system caches it, 0.1–0.4 s when it does not, past the facet time limit, so
a first visitor met facets that timed out. The writer keeps each faceted
column's counts (`gxcrawl.store.summaries.FACETED`); a facet of type
`summarised` (`facets: [{summarised: year}]` in the metadata) reads them on
the whole table. Over a filter's, a search's or a later page's rows, and for
a column the writer does not count, it counts the rows as datasette's column
facet does, within the facet time limit.
"""

import sqlite3

from datasette.facets import ColumnFacet
from datasette.utils import path_with_added_args, path_with_removed_args

from gxcrawl.store.summaries import FACETED


class SummarisedFacet(ColumnFacet):
    type = "summarised"
    _counted: list | None = None

    async def suggest(self) -> list:
        return []

    def get_configs(self) -> list:
        """The facets asked for; while counting rows, those that are counted."""
        return super().get_configs() if self._counted is None else self._counted

    async def facet_results(self) -> tuple[list, list]:
        configs = self.get_configs()
        ahead = FACETED.get(self.table, ()) if self._whole_table() else ()
        try:
            summarised = {
                _column(config): await self._summarised(_column(config), config["source"])
                for config in configs
                if _column(config) in ahead
            }
        except sqlite3.OperationalError:  # a database made before the summary, opened read-only
            summarised = {}
        self._counted = [config for config in configs if _column(config) not in summarised]
        try:
            counted, timed_out = await super().facet_results() if self._counted else ([], [])
        finally:
            self._counted = None
        for facet in counted:  # datasette's column facet hides itself with `_facet`; this type's is `_facet_summarised`
            facet["toggle_url"] = self.ds.urls.path(
                path_with_removed_args(self.request, {f"_facet_{self.type}": facet["name"]})
            )
        by_column = {**summarised, **{facet["name"]: facet for facet in counted}}
        return [by_column[_column(config)] for config in configs if _column(config) in by_column], timed_out

    def _whole_table(self) -> bool:
        """Whether the page's rows are the whole table: datasette's page SQL has no WHERE (filters, searches, `_where`
        and a later page's position all make one) and no parameters."""
        return bool(self.table) and not self.params and " where " not in self.sql.lower()

    async def _summarised(self, column: str, source: str) -> dict:
        size = self.get_facet_size()
        counted = await self.ds.execute(
            self.database,
            "SELECT value, rows FROM summary_facets WHERE table_name = ? AND column_name = ? "
            "ORDER BY rows DESC, value LIMIT ?",
            [self.table, column, size + 1],
        )
        return {
            "name": column,
            "type": self.type,
            "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {f"_facet_{self.type}": column})),
            "results": [self._value(column, value, count) for value, count in counted.rows[:size]],
            "truncated": len(counted.rows) > size,
        }

    def _value(self, column: str, value, count: int) -> dict:
        """A facet's value, linking to the page filtered by it (on the whole table, none is selected)."""
        name = f"{column}__exact" if column.startswith("_") else column
        return {
            "value": value,
            "label": value,
            "count": count,
            "toggle_url": self.ds.absolute_url(
                self.request, self.ds.urls.path(path_with_added_args(self.request, {name: value}))
            ),
            "selected": False,
        }


def _column(config: dict) -> str:
    return config["config"].get("column") or config["config"]["simple"]
