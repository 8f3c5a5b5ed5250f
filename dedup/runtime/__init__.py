"""How a run runs: the process pool, spools and caches, incremental state, metrics.

Modules here import the algorithm (``clean``, ``fingerprint``, ``cluster``, ``reuse``); the
algorithm never imports them (``tests/test_house.py`` holds the rule).
"""
