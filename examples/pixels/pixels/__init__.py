"""Pixels-v0: steer a dot to a target on a small RGB image."""
