from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orgs.api.serializers import IdField, PersonSerializer

from ..models import MESSAGE_MAX_LENGTH, Chat, Message, Poll
from ..services.polls import MAX_OPTIONS


class ChatSerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True, default=None)
    member_count = serializers.IntegerField(read_only=True)
    my_role = serializers.CharField(read_only=True, allow_null=True)
    unread_count = serializers.IntegerField(read_only=True)
    owners = serializers.SerializerMethodField()

    class Meta:
        model = Chat
        fields = [
            "id",
            "kind",
            "title",
            "group",
            "group_name",
            "subject",
            "is_archived",
            "member_count",
            "my_role",
            "unread_count",
            "owners",
        ]

    @extend_schema_field(PersonSerializer(many=True))
    def get_owners(self, chat):
        return PersonSerializer([m.user for m in chat.owners], many=True).data


class PollBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Poll
        fields = ["id", "question", "multiple", "anonymous", "closes_at"]


class MessageSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)
    is_deleted = serializers.BooleanField(read_only=True)
    poll = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "chat",
            "author",
            "text",
            "reply_to",
            "created_at",
            "edited_at",
            "deleted_at",
            "is_deleted",
            "poll",
        ]

    @extend_schema_field(PollBriefSerializer(allow_null=True))
    def get_poll(self, message):
        # Selected with the message: a message without a poll raises here instead of querying.
        poll = message.poll if hasattr(message, "poll") and not message.is_deleted else None
        return PollBriefSerializer(poll).data if poll else None


class MessageWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MESSAGE_MAX_LENGTH * 2, trim_whitespace=False, allow_blank=True)
    reply_to = IdField(required=False, allow_null=True)


class MessageEditSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MESSAGE_MAX_LENGTH * 2, trim_whitespace=False, allow_blank=True)


class ReadSerializer(serializers.Serializer):
    message = IdField(required=False, allow_null=True, help_text="прочитано до этого сообщения (по умолчанию — все)")


class ReadStateSerializer(serializers.Serializer):
    chat = serializers.IntegerField()
    last_read_message_id = serializers.IntegerField()


class PollCreateSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=1000)
    options = serializers.ListField(child=serializers.CharField(max_length=1000), max_length=MAX_OPTIONS * 2)
    multiple = serializers.BooleanField(default=False)
    anonymous = serializers.BooleanField(default=False)
    closes_at = serializers.DateTimeField(required=False, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=True, max_length=MESSAGE_MAX_LENGTH)


class VoteSerializer(serializers.Serializer):
    options = serializers.ListField(child=IdField(), min_length=1, max_length=MAX_OPTIONS * 2)


class PollOptionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    votes = serializers.IntegerField()
    chosen = serializers.BooleanField(help_text="выбран текущим пользователем")
    voters = PersonSerializer(many=True, allow_null=True, help_text="null в анонимном опросе")


class PollResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    message = serializers.IntegerField(required=False)
    question = serializers.CharField()
    multiple = serializers.BooleanField()
    anonymous = serializers.BooleanField()
    closes_at = serializers.DateTimeField(allow_null=True)
    closed = serializers.BooleanField()
    total_voters = serializers.IntegerField()
    options = PollOptionResultSerializer(many=True)
