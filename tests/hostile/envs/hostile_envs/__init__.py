"""Environments that behave until one chosen step and then misbehave.

Each one is a CalmEnv (base.py) that breaks one rule once, by default at
the third call to step(). tests/hostile/gymwarden.toml pins their spaces
and tests/hostile/test_hostile_output.py checks what gymwarden makes of
each fault. Nothing here is imported by the tests: these modules run only
inside gymwarden's worker (or a throwaway in-process check).
"""
