"""Balance-v0: keep a pole upright on a cart that moves along a track."""
