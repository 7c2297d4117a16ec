"""Cards-v0: guess whether the next card is higher or lower."""
