"""One module per scenario; each has ``run(bench) -> {metric: value}``."""
