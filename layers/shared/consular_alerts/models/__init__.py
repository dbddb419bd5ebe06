"""Pydantic models at every edge: one module per edge. Imports nothing above itself."""
