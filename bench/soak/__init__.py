"""The soak: ``cartkit serve`` under load for a long time (``python bench/run.py --soak``).

:mod:`.mix` builds the requests, :mod:`.window` drives one window of load, :mod:`.runner` runs
one mock through its windows, :mod:`.verdict` judges the run and :mod:`.cli` prints it.
"""
