"""An environment that writes into its own source tree (tests/dynamic)."""
