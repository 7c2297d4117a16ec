"""Environments that each try one way out of the sandbox.

Every class is an EscapeEnv (base.py): a small, predictable environment
whose reset() (or, where the technique needs a running episode, step())
makes one escape attempt. What the attempt reaches is printed to stdout
(the monitor's log), so a technique that works leaks its loot into the
run's output, where the tests look for it; the tests also check markers
outside the sandbox that only a working technique could change.

Nothing here is imported by the tests: these modules run only inside a
gymwarden worker, or by hand to see what works without a sandbox.
"""
