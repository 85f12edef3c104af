"""Rules that read the params: one service at a time, or the whole file."""
