"""Reading advisories: each published format (CAP, RSS/Atom, US State, FCDO, ministry text
and JSON) into the advisory record."""
