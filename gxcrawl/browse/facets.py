"""Facets counted ahead: a table's unfiltered page reads its facets' counts from `summary_facets`.

Datasette counts a facet by grouping the page's rows. On an unfiltered table
that reads the column's whole index: 0.03 s at a million reports once the
system caches it, 0.1–0.4 s when it does not, past the facet time limit, so
a first visitor met facets that timed out. The writer keeps each faceted
column's counts (`gxcrawl.store.summaries.FACETED`); a facet of type
`summarised` (`facets: [{summarised: year}]` in the metadata) reads them on
the unfiltered page. Over a filter's or a search's rows it counts them as
datasette's column facet does, within the facet time limit.
"""

import sqlite3

from datasette.facets import ColumnFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args


class SummarisedFacet(ColumnFacet):
    type = "summarised"

    async def suggest(self) -> list:
        return []

    async def facet_results(self) -> tuple[list, list]:
        if not self._unfiltered():
            return await super().facet_results()
        size = self.get_facet_size()
        results = []
        for source_and_config in self.get_configs():
            column = source_and_config["config"].get("column") or source_and_config["config"]["simple"]
            try:
                counted = await self.ds.execute(
                    self.database,
                    "SELECT value, rows FROM summary_facets WHERE table_name = ? AND column_name = ? "
                    "ORDER BY rows DESC, value LIMIT ?",
                    [self.table, column, size + 1],
                )
            except sqlite3.OperationalError:  # a database made before the summary, opened read-only
                return await super().facet_results()
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": self.ds.urls.path(
                        path_with_removed_args(self.request, {f"_facet_{self.type}": column})
                    ),
                    "results": [self._value(column, value, count) for value, count in counted.rows[:size]],
                    "truncated": len(counted.rows) > size,
                }
            )
        return results, []

    def _unfiltered(self) -> bool:
        """Whether the page is the whole table: datasette's page SQL ends at the table's name, with no WHERE."""
        return bool(self.table) and not self.params and self.sql.rstrip().endswith(f"from {escape_sqlite(self.table)}")

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
