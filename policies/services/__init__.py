"""Every write of the policies app."""
