"""Browser pages of the orgs app, split by sub-domain."""
