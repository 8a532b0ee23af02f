"""Recurring ideas: grouping items that say the same thing, and curation of the groups."""
