"""Views and triggers made from their definition, and made again when a release changes it."""


def make_again(connection, kind: str, name: str, sql: str) -> bool:
    """Make the view or trigger `name` by `sql` (its whole CREATE statement), or make it again where the database
    holds another text under its name; whether it was (re)made, so that what it keeps must be computed afresh."""
    found = connection.execute("SELECT sql FROM sqlite_master WHERE type = ? AND name = ?", [kind, name]).fetchone()
    if found and found[0] == sql:
        return False
    connection.execute(f"DROP {kind.upper()} IF EXISTS {name}")
    connection.execute(sql)
    return True


def make_triggers(connection, triggers: dict[str, str]) -> bool:
    """Make each trigger (name: what follows `CREATE TRIGGER name`) as `make_again` does; whether any was (re)made."""
    made = [make_again(connection, "trigger", name, f"CREATE TRIGGER {name} {body}") for name, body in triggers.items()]
    return any(made)
