"""Messages: SMS encoding and composing, email, reported advice condensed, the dry-run preview."""
