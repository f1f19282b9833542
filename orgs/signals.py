"""Announcements other apps may listen to (chats create system channels on these)."""

from django.dispatch import Signal

organisation_created = Signal()  # organisation
