"""Triggers made from their definition, and made again when a release changes it."""


def make_triggers(connection, triggers: dict[str, str]) -> bool:
    """Make each trigger (name: what follows `CREATE TRIGGER name`), or make it again where the database holds another
    text under its name; whether any was (re)made, so that what it keeps must be computed afresh."""
    made = False
    for name, body in triggers.items():
        wanted = f"CREATE TRIGGER {name} {body}"
        found = connection.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [name])
        if (found.fetchone() or [None])[0] != wanted:
            connection.execute(f"DROP TRIGGER IF EXISTS {name}")
            connection.execute(wanted)
            made = True
    return made
