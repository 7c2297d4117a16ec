"""A small grid world for the gymwarden quick start."""

from gridworld.env import GridWorldEnv

__all__ = ["GridWorldEnv"]
