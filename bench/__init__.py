"""``make bench``: measure the project against the seed notebooks it replaces.

Every measurement runs in its own subprocess (``bench.child``), so its wall
time and peak RSS are its own; our path and the seed baseline alternate
within one run, repeated, and the report gives ratios with min and median.
The orchestrating process (``python -m bench``) never imports TensorFlow.
"""
