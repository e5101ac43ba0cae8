"""cartkit's benchmarks: the mock against a bare Starlette ceiling and Prism, and at scale.

Run ``python bench/run.py`` (or ``python -m bench``) from the repository root; see README.md.
"""
