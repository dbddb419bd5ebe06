"""The ministry's alerts in the open: each published version as CAP 1.2, the Atom feeds
and the public index of the alerts in force."""
