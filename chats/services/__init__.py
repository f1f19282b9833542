"""Every write of the chats app. Import from the sub-modules."""
