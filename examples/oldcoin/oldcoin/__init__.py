"""OldCoin-v0: call coin tosses, written against the old Gym API."""
