"""Reliability figures of issue 10: bad-input fuzz, faults, outages and overload."""
