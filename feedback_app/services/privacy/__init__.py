"""Respondents' personal data (law 09-08): retention purge, search and erasure, and backups."""
