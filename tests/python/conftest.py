"""The Python tests import gymwarden from the build tree
(PYTHONPATH=<build>/python, set by scripts/test.sh)."""

import importlib.util

import pytest


def pytest_configure(config):
    if importlib.util.find_spec("gymwarden") is None:
        raise pytest.UsageError(
            "gymwarden is not importable: set PYTHONPATH=build/python")
