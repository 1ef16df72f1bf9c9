"""Scorecards stored with the reports (gxcrawl.scorecard), and the agencies' names over the years.

`store_scorecard(db, report_id)` grades a stored report from the database:
its row, its figures, and the same agency's report of the year before (for
R6 and copying). The writer calls it in the report's own transaction for the
report and for the agency's report of the year after, whose grade depends on
it; `rescore` grades every report again (after names were linked).

An agency renamed between years is linked by hand in `agency_aliases` (one
row per old name: `alias` → `agency`): its history, its previous report and
the list of who did not publish follow the current name (`agency_names`).
`link_agency` records a link, and grades the agency's reports again.
"""

import json
from decimal import Decimal

import sqlite_utils

from gxcrawl.model import now
from gxcrawl.scorecard import (
    SCORING,
    Scorecard,
    band,
    copied_share,
    missing_sections,
    narrative,
    score,
    timeliness,
)
from gxcrawl.store.rows import write_row
from gxcrawl.store.summaries import apply_score_change, score_contribution

#: The reports table's prose columns, by section.
PROSE_COLUMNS = {"overview": "overview", "problems": "problems", "other": "other_matters"}


def canonical_agency(db, agency: str) -> str:
    """The name the agency reporting as `agency` is known by now (`agency_aliases`); works on a plain connection."""
    row = db.execute("SELECT agency FROM agency_aliases WHERE alias = ?", [agency]).fetchone()
    return row[0] if row else agency


def agency_names(db, agency: str) -> list[str]:
    """Every name the agency called `agency` has reported under: its current name and those linked to it."""
    current = canonical_agency(db, agency)
    return [current, *(row[0] for row in db.execute("SELECT alias FROM agency_aliases WHERE agency = ?", [current]))]


def same_agency_report(db: sqlite_utils.Database, agency: str, year: int) -> dict | None:
    """The report of `year` of the agency named `agency` now or under a name linked to it."""
    names = agency_names(db, agency)
    return next(
        db.query(
            f"SELECT * FROM reports WHERE agency IN ({', '.join('?' * len(names))}) AND year = ? ORDER BY id LIMIT 1",
            [*names, year],
        ),
        None,
    )


def store_scorecard(db: sqlite_utils.Database, report_id: str) -> Scorecard | None:
    """Grade the stored report `report_id` and keep its scorecard; None when there is no such report."""
    report = next(db.query("SELECT * FROM reports WHERE id = ?", [report_id]), None)
    if report is None:
        return None
    figures = {
        row["key"]: None if row["value"] is None else Decimal(str(row["value"]))
        for row in db.query(
            "SELECT key, coalesce(value, derived) AS value FROM figures WHERE report_id = ?", [report_id]
        )
    }
    printed = db.execute("SELECT count(*), count(value) FROM figures WHERE report_id = ?", [report_id]).fetchone()
    previous = same_agency_report(db, report["agency"], report["year"] - 1)
    # Graded by its first publication: a corrected re-publication months later does not make a report late.
    first = db.execute("SELECT min(published) FROM report_versions WHERE report_id = ?", [report_id]).fetchone()[0]
    card = Scorecard()
    card.on_time, card.days_late = timeliness(report["year"], first or report["published"])
    prose = {section: report[column] or "" for section, column in PROSE_COLUMNS.items()}
    card.sections_missing = missing_sections(report["template"], prose, figures)
    card.cells_given = round(printed[1] / printed[0], 3) if printed[0] and card.sections_missing is not None else None
    text = "\n".join(prose.values())
    card.narrative, card.narrative_failures = narrative(text, report["year"], figures)
    outcomes = json.loads(report["checks"] or "{}")
    outcomes["R6"] = r6_outcome(db, report_id, previous)
    outcomes["R7"] = card.narrative
    card.rules_failed = [rule for rule, outcome in outcomes.items() if outcome == "failed"]
    card.rules_evaluated = sum(outcome in ("ok", "failed") for outcome in outcomes.values())
    previous_prose = "\n".join(previous[column] or "" for column in PROSE_COLUMNS.values()) if previous else None
    card.copied_share = copied_share(text, previous_prose)
    card.score = score(card)
    before = score_contribution(db, report_id)
    write_row(
        db,
        "scorecards",
        {
            "report_id": report_id,
            "agency": canonical_agency(db, report["agency"]),
            "region": report["region"],
            "year": report["year"],
            "template": report["template"],
            "published": report["published"],
            "on_time": card.on_time,
            "days_late": card.days_late,
            "sections_missing": None if card.sections_missing is None else json.dumps(card.sections_missing),
            "sections_missing_count": None if card.sections_missing is None else len(card.sections_missing),
            "cells_given": card.cells_given,
            "rules_failed": json.dumps(card.rules_failed),
            "rules_failed_count": len(card.rules_failed),
            "narrative": card.narrative,
            "narrative_failures": json.dumps(card.narrative_failures, ensure_ascii=False),
            "copied_share": card.copied_share,
            "copied_band": band(card.copied_share),
            "score": card.score,
            "score_band": band(None if card.score is None else card.score / 100),
            "scoring": SCORING,
            "scored_at": now(),
        },
        key="report_id",
    )
    apply_score_change(db, before, score_contribution(db, report_id))
    return card


def r6_outcome(db, report_id: str, previous: dict | None) -> str:
    """Rule R6, this year's 上年结转 against the previous report's 结转下年度, as printed: ok, failed or unknown."""
    this = _printed(db, report_id, "applications.carried_over.total")
    last = _printed(db, previous["id"], "applications.carried_forward.total") if previous else None
    return "unknown" if this is None or last is None else "ok" if this == last else "failed"


def _printed(db, report_id: str, key: str) -> Decimal | None:
    row = db.execute("SELECT value FROM figures WHERE report_id = ? AND key = ?", [report_id, key]).fetchone()
    return None if row is None or row[0] is None else Decimal(str(row[0]))


def score_with_neighbour(db: sqlite_utils.Database, report_id: str, agency: str, year: int) -> None:
    """Grade a report just stored, and the agency's report of the year after, which is graded against it."""
    store_scorecard(db, report_id)
    following = same_agency_report(db, agency, year + 1)
    if following is not None:
        store_scorecard(db, following["id"])


def rescore_missing(db: sqlite_utils.Database) -> int:
    """Grade the reports that have no scorecard (stored by a gxcrawl that did not grade them); how many."""
    return _grade(db, "SELECT id FROM reports WHERE id NOT IN (SELECT report_id FROM scorecards)")


def rescore(db: sqlite_utils.Database) -> int:
    """Grade every stored report again; how many."""
    return _grade(db, "SELECT id FROM reports ORDER BY year")


def _grade(db: sqlite_utils.Database, selection: str) -> int:
    """Grade the reports `selection` names, one transaction each; how many."""
    ids = [row[0] for row in db.execute(selection)]
    for report_id in ids:
        with db.atomic():
            store_scorecard(db, report_id)
    return len(ids)


def link_agency(
    db: sqlite_utils.Database, alias: str, agency: str, note: str | None = None, replace: bool = False
) -> int:
    """Record that the agency reporting as `alias` is the one now called `agency` (or what that name leads to); grade
    its reports again (how many). A name linked already is linked anew only with `replace`, the old link said in
    the note."""
    current = canonical_agency(db, agency)
    if current == alias:
        raise ValueError(f"{agency!r} is itself linked to {alias!r}: a name cannot lead back to itself")
    existing = db.execute("SELECT agency FROM agency_aliases WHERE alias = ?", [alias]).fetchone()
    if existing and existing[0] != current and not replace:
        raise ValueError(f"{alias!r} is linked to {existing[0]!r} already; say --replace to link it to {current!r}")
    if existing and existing[0] != current:
        note = f"{note or ''} (replaces the link to {existing[0]})".strip()
    with db.atomic():
        names = {alias, current, *agency_names(db, alias)}
        db["agency_aliases"].upsert({"alias": alias, "agency": current, "note": note, "linked_at": now()}, pk="alias")
        db.conn.execute("UPDATE agency_aliases SET agency = ? WHERE agency = ?", [current, alias])
        names |= set(agency_names(db, current))
        ids = [
            row[0]
            for row in db.execute(
                f"SELECT id FROM reports WHERE agency IN ({', '.join('?' * len(names))}) ORDER BY year", sorted(names)
            )
        ]
        for report_id in ids:
            store_scorecard(db, report_id)
    return len(ids)
