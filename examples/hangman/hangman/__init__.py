"""Hangman-v0: guess a hidden word one letter at a time."""
