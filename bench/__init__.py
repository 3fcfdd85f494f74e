"""Benchmarks: `python -m bench` builds synthetic books and times whole-process runs."""
