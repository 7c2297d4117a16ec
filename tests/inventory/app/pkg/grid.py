class GridEnv:
    """Stands in for a gymnasium.Env; the scan only needs its name."""
