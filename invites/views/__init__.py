"""Browser pages of invites: joining by a link, managing links, join requests."""
