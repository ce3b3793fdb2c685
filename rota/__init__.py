"""The pure rota core: shift patterns, overrides, leave, coverage and gaps.

Stdlib only; no I/O and no clock reads: every function takes its instants as arguments.
"""
