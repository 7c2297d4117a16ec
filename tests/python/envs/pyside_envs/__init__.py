"""Environments for the client tests (tests/python): well-behaved ones that
exercise every kind of space and every kind of info value."""
