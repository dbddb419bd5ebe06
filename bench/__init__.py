"""`make bench`: the benchmark suite (issue 7). Not part of `make test`; nothing here is
collected by pytest. `python -m bench [--quick] [--only AREA ...]`."""
