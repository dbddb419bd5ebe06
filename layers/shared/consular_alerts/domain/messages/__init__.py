"""Messages: SMS encoding and composing, email, wording, the dry-run preview."""
