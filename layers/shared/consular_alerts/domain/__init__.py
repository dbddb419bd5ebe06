"""Pure domain logic: no boto3, no environment reads, no I/O."""
