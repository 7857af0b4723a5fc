"""Template tags of the personal account."""
