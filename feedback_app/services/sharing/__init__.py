"""Share links: a region's brief handed to someone without an account (links.py)."""
