"""Every write of the invites app."""
