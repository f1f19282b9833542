"""Every write of the orgs app. Import from the sub-modules."""
