"""Vault-v0: collect three keys on a grid, then open the vault door."""
