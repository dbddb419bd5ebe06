"""Citizens: one-time codes, abuse limits, privacy of addresses, phone acceptance, signed links."""
