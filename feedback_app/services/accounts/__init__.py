"""Staff accounts: sign-in and its throttle, sessions, passwords, set-password links, HQ's admin."""
