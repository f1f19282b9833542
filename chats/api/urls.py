from django.urls import re_path

from orgs.api.scoped import ORG
from portal.api.routers import ID, Router

from . import events, manage, messages, moderation

CHAT = rf"^chats/(?P<id>{ID})"

router = Router()
# The chat list with create, detail, rename, archive, restore, leave and members (chats/api/manage.py).
router.register(f"{ORG}/chats", manage.ChatManageViewSet, basename="chat")
router.register(f"{ORG}/events", events.EventViewSet, basename="event")
router.register(f"{ORG}/reports", moderation.ReportViewSet, basename="chat-report")

chat_messages = messages.MessageViewSet
polls = messages.PollViewSet

urlpatterns = [
    *router.urls,
    re_path(rf"{CHAT}/messages/$", chat_messages.as_view({"get": "list", "post": "create"}), name="chat-messages"),
    re_path(
        rf"{CHAT}/messages/(?P<mid>{ID})/$",
        chat_messages.as_view({"patch": "partial_update", "delete": "destroy"}),
        name="chat-message",
    ),
    re_path(rf"{CHAT}/read/$", chat_messages.as_view({"post": "read"}), name="chat-read"),
    re_path(rf"{CHAT}/polls/$", polls.as_view({"post": "create"}), name="chat-polls"),
    re_path(rf"{CHAT}/polls/(?P<pid>{ID})/vote/$", polls.as_view({"post": "vote"}), name="chat-poll-vote"),
]

# Moderation: reports, members (mute, unmute, remove), pinned posts.
moderated = moderation.MessageModerationViewSet
chat_members = moderation.ChatMemberViewSet
MEMBER = rf"{CHAT}/members/(?P<user_id>{ID})"
urlpatterns += [
    re_path(
        rf"{CHAT}/messages/(?P<mid>{ID})/report/$", moderated.as_view({"post": "report"}), name="chat-report-create"
    ),
    re_path(rf"{CHAT}/messages/(?P<mid>{ID})/pin/$", moderated.as_view({"post": "pin"}), name="chat-message-pin"),
    re_path(rf"{CHAT}/messages/(?P<mid>{ID})/unpin/$", moderated.as_view({"post": "unpin"}), name="chat-message-unpin"),
    re_path(rf"{CHAT}/members/$", chat_members.as_view({"get": "list"}), name="chat-members"),
    re_path(rf"{MEMBER}/$", chat_members.as_view({"delete": "destroy"}), name="chat-member"),
    re_path(rf"{MEMBER}/mute/$", chat_members.as_view({"post": "mute"}), name="chat-member-mute"),
    re_path(rf"{MEMBER}/unmute/$", chat_members.as_view({"post": "unmute"}), name="chat-member-unmute"),
]
