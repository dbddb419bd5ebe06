"""DynamoDB behind the ports: one module per table, the item conversions in items.py."""
