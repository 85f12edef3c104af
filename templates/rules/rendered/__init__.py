"""Rules that read the templates as written to output/<env>/."""
