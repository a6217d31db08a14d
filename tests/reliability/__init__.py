"""Reliability: faults, replays, overload and bad input, with the shipped processes."""
