"""Was it delivered: SMS receipts read and attributed, the report per advisory version,
canary phones."""
