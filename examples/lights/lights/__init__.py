"""Lights-v0: the lights-out puzzle on a 5 x 5 board."""
