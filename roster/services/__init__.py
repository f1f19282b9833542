"""Every write of the roster app."""
