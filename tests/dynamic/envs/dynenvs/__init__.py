"""Environments that `gymwarden fuzz` must catch (tests/dynamic)."""
