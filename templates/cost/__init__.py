"""What an environment costs per month, from a price table shipped in the repo (no price API at run time)."""
