from django.urls import re_path

from orgs.api.urls import ORG, Router

from .api import events, views

ID = r"\d{1,18}"
CHAT = rf"^chats/(?P<id>{ID})"

router = Router()
router.include_root_view = False  # the organisations' router serves the API root
router.register(f"{ORG}/chats", views.ChatViewSet, basename="chat")
router.register(f"{ORG}/events", events.EventViewSet, basename="event")

messages = views.MessageViewSet
polls = views.PollViewSet

urlpatterns = [
    *router.urls,
    re_path(rf"{CHAT}/messages/$", messages.as_view({"get": "list", "post": "create"}), name="chat-messages"),
    re_path(
        rf"{CHAT}/messages/(?P<mid>{ID})/$",
        messages.as_view({"patch": "partial_update", "delete": "destroy"}),
        name="chat-message",
    ),
    re_path(rf"{CHAT}/read/$", messages.as_view({"post": "read"}), name="chat-read"),
    re_path(rf"{CHAT}/polls/$", polls.as_view({"post": "create"}), name="chat-polls"),
    re_path(rf"{CHAT}/polls/(?P<pid>{ID})/vote/$", polls.as_view({"post": "vote"}), name="chat-poll-vote"),
]
