"""Review desk: the filtered list, one submission, item decisions, bulk actions, sign-off."""
