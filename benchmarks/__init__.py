"""Benchmarks of jointinspect against hand-written baselines; run ``python benchmarks/run.py``."""
