"""Capture: a submission validated, stored exactly once, and the stop's running tallies."""
