"""Benchmarks: plain scripts printing figures (`python -m bench.<module>`)."""
