"""`reports_chars`: a full-text index of each report's agency and title by single characters, for short searches.

The trigram index (`reports_fts`) cannot match a word of one or two
characters (「局」, 「卫辉」), so browse searches those with LIKE, walking the
reports in the page's order until a page of matches is found: quick for a
common word, but a rare one walks every report (seconds at a million). Here
each character is a token of its own (the text is indexed with a space
between characters, for FTS5's `ascii` tokenizer, to which every character
beyond ASCII is part of a word), so a word is a phrase of its characters and
its matches are found from the index at once.

It finds a superset of LIKE's matches: the word and the text are spaced and
tokenized alike, which drops ASCII punctuation and folds ASCII case on both
sides. Browse keeps the LIKE as well, so the rows shown are exactly LIKE's.
The writer keeps it with each report's row; `open_database` builds it for a
database made before it.
"""

import sqlite_utils

from gxcrawl.store.definitions import make_triggers

#: The index: one row per report, by the report's rowid. FTS5 phrases stay within a column, so a word is never
#: matched across the end of the agency's name and the start of the title.
CHARACTER_INDEX = "reports_chars"


def unindexed_table(index: str) -> str:
    """The table listing the reports an index has still to read."""
    return f"{index}_pending"


#: The reports whose agency or title changed since the index last read them: filled by triggers whoever writes (an
#: older gxcrawl, a hand edit), emptied by `index_characters`. Browse looks among them too, so that the index never
#: misses a report; `open_database` indexes them.
UNINDEXED = unindexed_table(CHARACTER_INDEX)
CHARACTER_INDEX_TABLES = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {CHARACTER_INDEX} USING fts5(agency, title, tokenize = 'ascii')",
    f"CREATE TABLE IF NOT EXISTS {UNINDEXED} (report_rowid INTEGER PRIMARY KEY)",
)
#: The triggers listing what the index has still to read (not `INSERT OR IGNORE`: inside a trigger fired by an
#: upsert, SQLite takes the upsert's conflict handling instead), and taking a report gone out of it.
CHARACTER_INDEX_TRIGGERS = {
    f"{UNINDEXED}_made": f"AFTER INSERT ON reports "
    f"BEGIN INSERT INTO {UNINDEXED} VALUES (NEW.rowid) ON CONFLICT DO NOTHING; END",
    f"{UNINDEXED}_moved": f"AFTER UPDATE OF agency, title ON reports "
    "WHEN OLD.agency IS NOT NEW.agency OR OLD.title IS NOT NEW.title "
    f"BEGIN INSERT INTO {UNINDEXED} VALUES (NEW.rowid) ON CONFLICT DO NOTHING; END",
    f"{CHARACTER_INDEX}_gone": f"AFTER DELETE ON reports BEGIN DELETE FROM {CHARACTER_INDEX} WHERE rowid = OLD.rowid; "
    f"DELETE FROM {UNINDEXED} WHERE report_rowid = OLD.rowid; END",
}


def spaced(text: str | None) -> str | None:
    """The text with a space between its characters: each one a token."""
    return None if text is None else " ".join(text)


def phrase(word: str) -> str | None:
    """An FTS5 phrase matching `word`'s characters in a row, in the order it gives them; None for a word of ASCII
    punctuation alone, which the tokenizer drops whole (an empty phrase matches nothing, LIKE matches it)."""
    if all(character.isascii() and not character.isalnum() for character in word):
        return None
    return '"' + spaced(word).replace('"', '""') + '"'


def index_characters(db: sqlite_utils.Database, report_id: str) -> None:
    """Index the agency and title of the report again, as they are now stored."""
    rowid, agency, title = db.execute("SELECT rowid, agency, title FROM reports WHERE id = ?", [report_id]).fetchone()
    _index(db, rowid, agency, title)


def index_unindexed(db: sqlite_utils.Database) -> int:
    """Index the reports another writer stored or changed (`UNINDEXED`), in the caller's transaction; how many."""
    rows = db.execute(
        f"SELECT r.rowid, r.agency, r.title FROM {UNINDEXED} u JOIN reports r ON r.rowid = u.report_rowid"
    ).fetchall()
    for rowid, agency, title in rows:
        _index(db, rowid, agency, title)
    db.conn.execute(f"DELETE FROM {UNINDEXED}")
    return len(rows)


def _index(db: sqlite_utils.Database, rowid: int, agency: str, title: str | None) -> None:
    db.conn.execute(f"DELETE FROM {CHARACTER_INDEX} WHERE rowid = ?", [rowid])
    db.conn.execute(
        f"INSERT INTO {CHARACTER_INDEX} (rowid, agency, title) VALUES (?, ?, ?)", [rowid, spaced(agency), spaced(title)]
    )
    db.conn.execute(f"DELETE FROM {UNINDEXED} WHERE report_rowid = ?", [rowid])


def ensure_character_index(db: sqlite_utils.Database, tables: set[str]) -> None:
    """Give the database the index, built from every report when it lacks it, its list of what is still to read, or
    the triggers of this release (a database made before them, or by a release whose triggers missed some); else
    index what another writer stored since. In the caller's transaction."""
    for statement in CHARACTER_INDEX_TABLES:
        db.conn.execute(statement)
    retriggered = make_triggers(db.conn, CHARACTER_INDEX_TRIGGERS)
    if retriggered or not {CHARACTER_INDEX, UNINDEXED} <= tables:
        build_character_index(db)
    else:
        index_unindexed(db)


def build_character_index(db: sqlite_utils.Database) -> None:
    """Empty the index and fill it from every report, in the caller's transaction: `ensure_character_index`, and
    `gxcrawl rebuild-summaries`."""
    db.conn.execute(f"DELETE FROM {CHARACTER_INDEX}")
    db.conn.execute(f"DELETE FROM {UNINDEXED}")
    db.conn.executemany(
        f"INSERT INTO {CHARACTER_INDEX} (rowid, agency, title) VALUES (?, ?, ?)",
        (
            (rowid, spaced(agency), spaced(title))
            # The index holding both, not the rows, which hold each report's text.
            for rowid, agency, title in db.conn.execute(
                "SELECT rowid, agency, title FROM reports INDEXED BY reports_recent"
            )
        ),
    )
