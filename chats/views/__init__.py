"""Browser pages of chats: one module per part, the routes in `chats/urls.py`."""
