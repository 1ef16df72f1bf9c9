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

#: The index: one row per report, by the report's rowid. FTS5 phrases stay within a column, so a word is never
#: matched across the end of the agency's name and the start of the title.
CHARACTER_INDEX = "reports_chars"
CHARACTER_INDEX_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {CHARACTER_INDEX} USING fts5(agency, title, tokenize = 'ascii')"
)


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
    db.conn.execute(f"DELETE FROM {CHARACTER_INDEX} WHERE rowid = ?", [rowid])
    db.conn.execute(
        f"INSERT INTO {CHARACTER_INDEX} (rowid, agency, title) VALUES (?, ?, ?)", [rowid, spaced(agency), spaced(title)]
    )


def build_character_index(db: sqlite_utils.Database) -> None:
    """Make and fill the index from every report (a database made before it), in the caller's transaction."""
    db.conn.execute(CHARACTER_INDEX_TABLE)
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
