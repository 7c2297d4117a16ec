"""Customers-v0: a support desk whose info carries synthetic personal data."""
