"""Reliability: bad input, faults, outages, replays and overload, with the shipped processes."""
