"""An agency's history and the comparison of two of its reports: pages of the gxcrawl datasette plugin.

- `/-/gxcrawl/<database>/agency?name=…`: every year the agency published
  (under its name now or a name linked to it in `agency_aliases`), its headline
  figures over the years as a chart, its scorecard over the years, rule R6
  across years, and links to each report;
- `/-/gxcrawl/<database>/compare?a=<report id>&b=<report id>`: two reports side
  by side in the form's layout (the later one's form), each cell showing both
  figures as printed, those that differ highlighted; the later form's figures
  the earlier form lacks are marked so and not counted, and the earlier form's
  figures the later form has no cell for are listed below.
"""

import json
from decimal import Decimal
from urllib.parse import urlencode

from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

from gxcrawl.browse.charts import line_chart
from gxcrawl.browse.layout import printed_tables, show
from gxcrawl.forms import FORM_LEGACY, figure_labels
from gxcrawl.scorecard import SECTION_HEADINGS

#: Each figure's printed labels, for the figures a comparison cannot lay out.
LABELS = {label["key"]: label["label"] for label in figure_labels()}
#: The reports' headline columns charted over the years, and what they are called.
CHARTED = {
    "applications_new": "本年新收申请 · new applications",
    "granted": "予以公开 · granted",
    "review_total": "行政复议 · reviews",
    "suit_total": "行政诉讼 · lawsuits",
}


def agency_link(database: str, agency: str) -> str:
    return f"/-/gxcrawl/{tilde_encode(database)}/agency?" + urlencode({"name": agency})


def report_link(database: str, report_id: str) -> str:
    return f"/{tilde_encode(database)}/reports/{tilde_encode(report_id)}"


async def names_of(db, agency: str) -> tuple[str, list[str]]:
    """The agency's current name (an old name linked in `agency_aliases` leads to it) and every name linked to it."""
    linked = (await db.execute("SELECT agency FROM agency_aliases WHERE alias = ?", [agency])).first()
    current = linked["agency"] if linked else agency
    aliases = [row["alias"] for row in await db.execute("SELECT alias FROM agency_aliases WHERE agency = ?", [current])]
    return current, aliases


async def agency_page(request, datasette) -> Response:
    database = request.url_vars["database"]
    db = datasette.get_database(database)
    current, aliases = await names_of(db, request.args.get("name", ""))
    names = [current, *aliases]
    rows = [
        dict(row)
        for row in await db.execute(
            "SELECT r.id, r.agency, r.region, r.year, r.published, r.template, r.checks_failed, "
            f"{', '.join('r.' + column for column in CHARTED)}, r.applications_total, r.fees, "
            "s.score, s.on_time, s.days_late, s.sections_missing, s.cells_given, s.rules_failed, s.narrative, "
            "s.narrative_failures, s.copied_share "
            "FROM reports r LEFT JOIN scorecards s ON s.report_id = r.id "
            f"WHERE r.agency IN ({', '.join('?' * len(names))}) ORDER BY r.year, r.id",
            names,
        )
    ]
    if not rows:
        return Response.html(
            await datasette.render_template(
                "gxcrawl_agency.html", {"agency": current, "years": [], "database": database}, request=request
            ),
            status=404,
        )
    carried = await _carried(db, [row["id"] for row in rows])
    forward_by_year = {row["year"]: carried[row["id"]][1] for row in rows}
    for row in rows:
        row["link"] = report_link(database, row["id"])
        row["missing"] = _missing_sections(row["sections_missing"])
        over, previous = carried[row["id"]][0], forward_by_year.get(row["year"] - 1)
        row["carried_over"], row["previous_carried_forward"] = over, previous
        row["r6"] = "unknown" if over is None or previous is None else "ok" if over == previous else "failed"
    years = [row["year"] for row in rows]
    context = {
        "database": database,
        "agency": current,
        "aliases": aliases,
        "regions": sorted({row["region"] for row in rows if row["region"]}),
        "years": rows,
        "figures_chart": line_chart(
            years,
            {name: [row[column] for row in rows] for column, name in CHARTED.items()},
            f"{current}: 主要数字 · headline figures",
        ),
        "score_chart": line_chart(years, {"得分 · score": [row["score"] for row in rows]}, f"{current}: 得分 · score"),
        "compare_path": f"/-/gxcrawl/{tilde_encode(database)}/compare",
    }
    return Response.html(await datasette.render_template("gxcrawl_agency.html", context, request=request))


async def _carried(db, report_ids: list[str]) -> dict[str, tuple]:
    """Each report's 上年结转 and 结转下年度 totals as printed (rule R6 across years)."""
    found: dict[str, list] = {report_id: [None, None] for report_id in report_ids}
    rows = await db.execute(
        f"SELECT report_id, key, value FROM figures WHERE report_id IN "
        f"({', '.join('?' * len(report_ids))}) AND key IN ('applications.carried_over.total', "
        "'applications.carried_forward.total')",
        report_ids,
    )
    for row in rows:
        found[row["report_id"]][row["key"].endswith("carried_forward.total")] = row["value"]
    return {report_id: tuple(values) for report_id, values in found.items()}


def _missing_sections(sections_json: str | None) -> list[str]:
    return [SECTION_HEADINGS[key] for key in json.loads(sections_json)] if sections_json else []


async def compare_page(request, datasette) -> Response:
    database = request.url_vars["database"]
    db = datasette.get_database(database)
    reports = []
    for name in ("a", "b"):
        row = (
            await db.execute(
                "SELECT id, agency, year, template FROM reports WHERE id = ?", [request.args.get(name, "")]
            )
        ).first()
        if row is None:
            return Response.text(
                f"没有这份报告 · no report {request.args.get(name)!r} (?a=…&b=… are reports.id)", status=404
            )
        reports.append(dict(row))
    reports.sort(key=lambda report: report["year"])
    if FORM_LEGACY in {report["template"] for report in reports}:
        return Response.text(
            "2019年以前的报告没有统一格式 · reports before 2019 have no form to compare in", status=422
        )
    figures = []
    for report in reports:
        rows = await db.execute("SELECT key, value FROM figures WHERE report_id = ?", [report["id"]])
        figures.append({row["key"]: row["value"] for row in rows})
    earlier, later = figures
    tables = printed_tables(reports[1]["template"], later)
    changed = 0
    for table in tables:
        for line in table.rows:
            for cell in line:
                if cell.key is None:
                    continue
                if cell.key not in earlier:  # a figure of the later form only: nothing to compare it with
                    cell.before, cell.status = "—", "absent"
                    continue
                cell.before = show(earlier[cell.key])
                differs = _number(earlier[cell.key]) != _number(later.get(cell.key))
                cell.status = "changed" if differs else "same"
                changed += differs
    shown = {cell.key for table in tables for line in table.rows for cell in line if cell.key}
    context = {
        "database": database,
        "reports": [{**report, "link": report_link(database, report["id"])} for report in reports],
        "agency_link": agency_link(database, reports[1]["agency"]),
        "tables": tables,
        "changed": changed,
        # The earlier form's figures the later form has no cell for (the 2019 form's table 二 beside the 2021 form's).
        "earlier_only": [
            {"key": key, "label": LABELS.get(key, key), "value": show(value)}
            for key, value in earlier.items()
            if key not in shown
        ],
    }
    return Response.html(await datasette.render_template("gxcrawl_compare.html", context, request=request))


def _number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))
