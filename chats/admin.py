from django.contrib import admin

from .models import Chat, ChatMember


class ChatMemberInline(admin.TabularInline):
    model = ChatMember
    extra = 0
    fields = ["user", "role", "managed_by_structure", "joined_at", "left_at"]
    raw_id_fields = ["user"]


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "organisation", "group", "is_archived", "created_at"]
    list_filter = ["kind", "is_archived"]
    search_fields = ["title", "organisation__short_name"]
    raw_id_fields = ["organisation", "group", "teacher", "teaching_assignment", "created_by"]
    inlines = [ChatMemberInline]
