"""`make bench`: the Spy System benchmarks, every figure a ratio or percentile of one run."""
