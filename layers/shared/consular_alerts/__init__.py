"""Consular alerts: advisories to citizens abroad."""
