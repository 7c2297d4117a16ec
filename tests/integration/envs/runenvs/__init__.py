"""Tiny environments for the `gymwarden run` integration tests."""
