"""Drift-v0: push a puck on an icy plane to the centre and stop it there."""
