"""Use cases as plain functions: explicit arguments, domain errors, and they own the commit."""
