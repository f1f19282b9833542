from django.urls import path

from .views import chats, join, kits, manage, requests, settings

app_name = "invites"

org = "orgs/<int:org_id>/"
urlpatterns = [
    path("join/search/", requests.organisation_search, name="search"),
    path("join/orgs/<int:org_id>/request/", requests.join_request_new, name="join_request_new"),
    path("join/orgs/<int:org_id>/request/sent/", requests.join_request_sent, name="join_request_sent"),
    path("join/requests/<int:request_id>/withdraw/", requests.join_request_withdraw_view, name="join_request_withdraw"),
    path("join/<str:token>/", join.join, name="join"),
    path("join/<str:token>/code/", join.join_code, name="join_code"),
    path("join/<str:token>/switch/", join.join_switch, name="join_switch"),
    path(org + "invites/", manage.invite_list, name="list"),
    path(org + "invites/new/", manage.invite_create, name="create"),
    path(org + "invites/admin-link/", manage.admin_link_create, name="admin_link"),
    path(org + "invites/revoke-all/", manage.invite_revoke_all, name="revoke_all"),
    path(org + "invites/class/<int:group_id>/", kits.class_invites, name="class"),
    path(org + "invites/class/<int:group_id>/created/", kits.class_created, name="class_created"),
    path(org + "invites/class/<int:group_id>/kit.pdf", kits.class_kit, name="class_kit"),
    path(org + "invites/class/<int:group_id>/export.<str:fmt>", kits.class_export, name="class_export"),
    path(org + "invites/class/<int:group_id>/mail/", kits.class_mailing_start, name="class_mail"),
    path(org + "invites/mailings/<int:mailing_id>/", kits.mailing_progress, name="mailing"),
    path(org + "invites/chat/<int:chat_id>/", chats.chat_invites, name="chat"),
    path(org + "invites/<int:invite_id>/", manage.invite_detail, name="detail"),
    path(org + "invites/<int:invite_id>/relay/", manage.invite_relay, name="relay"),
    path(org + "invites/<int:invite_id>/kit.pdf", kits.invite_kit, name="kit"),
    path(org + "invites/<int:invite_id>/<slug:action>/", manage.invite_action, name="action"),
    path(org + "settings/", settings.organisation_settings, name="settings"),
    path(org + "join-requests/", requests.join_request_list, name="join_requests"),
    path(
        org + "join-requests/<int:request_id>/<slug:action>/", requests.join_request_decide, name="join_request_decide"
    ),
]
