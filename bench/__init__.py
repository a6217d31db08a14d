"""The benchmarks (``make bench``): scripts run as ``python bench/NAME.py``; ``_load`` is shared."""
