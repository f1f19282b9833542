from django.urls import path

from .views import chat as views

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
]
