from django.urls import path

from .views import attachments as files
from .views import chat as views
from .views import events, manage, moderation, polls

app_name = "chats"

chat = "chats/<int:chat_id>/"
urlpatterns = [
    path("orgs/<int:org_id>/chats/", views.chat_list, name="chat_list"),
    path(chat, views.chat_page, name="chat"),
    path(chat + "fragment/", views.chat_fragment, name="fragment"),
    path(chat + "post/", views.message_post_view, name="post"),
    path(chat + "messages/<int:message_id>/edit/", views.message_edit_view, name="edit"),
    path(chat + "messages/<int:message_id>/delete/", views.message_delete_view, name="delete"),
    path(chat + "polls/<int:poll_id>/vote/", views.poll_vote_view, name="vote"),
    path(chat + "files/<int:attachment_id>/", files.attachment_download, name="attachment"),
    path(chat + "files/<int:attachment_id>/thumb/", files.attachment_thumbnail, name="attachment_thumb"),
]

# Moderation: reports and their queue, members (mute, unmute, remove), pinned posts.
message = chat + "messages/<int:message_id>/"
member = chat + "members/<int:user_id>/"
urlpatterns += [
    path(message + "report/", moderation.message_report_view, name="report"),
    path(message + "pin/", moderation.message_pin_view, {"pin": True}, name="pin"),
    path(message + "unpin/", moderation.message_pin_view, {"pin": False}, name="unpin"),
    path(chat + "members/", moderation.members_page, name="members"),
    path(member + "mute/", moderation.member_mute_view, name="member_mute"),
    path(member + "unmute/", moderation.member_unmute_view, name="member_unmute"),
    path(member + "remove/", moderation.member_remove_view, name="member_remove"),
    path("orgs/<int:org_id>/chats/reports/", moderation.reports_page, name="reports"),
    path("orgs/<int:org_id>/chats/reports/<int:report_id>/resolve/", moderation.report_resolve_view, name="resolve"),
]

# Events of the organisation, and creating a poll from a form.
event = "orgs/<int:org_id>/events/<int:event_id>/"
urlpatterns += [
    path("orgs/<int:org_id>/events/", events.event_list, name="event_list"),
    path("orgs/<int:org_id>/events/new/", events.event_new, name="event_new"),
    path(event, events.event_detail, name="event"),
    path(event + "cancel/", events.event_cancel_view, name="event_cancel"),
    path(chat + "polls/new/", polls.poll_new, name="poll_new"),
]

# Creating chats, their members, archive, restore, leaving; the administrator's table of every chat.
urlpatterns += [
    path("orgs/<int:org_id>/chats/new/", manage.chat_create_view, name="create"),
    path("orgs/<int:org_id>/chats/all/", manage.chats_admin_view, name="admin_list"),
    path(chat + "members/add/", manage.members_add_view, name="members_add"),
    path(chat + "archive/", manage.chat_archive_view, name="archive"),
    path(chat + "restore/", manage.chat_restore_view, name="restore"),
    path(chat + "leave/", manage.chat_leave_view, name="leave"),
]
