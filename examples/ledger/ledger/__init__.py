"""Ledger-v0: review card payments; info carries synthetic personal data."""
