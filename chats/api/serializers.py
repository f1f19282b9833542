from django.urls import reverse
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orgs.api.serializers import PersonSerializer
from portal.api.fields import IdField

from ..models import MESSAGE_MAX_LENGTH, Attachment, Chat, Message, Poll
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

    @cached_property
    def _person(self) -> PersonSerializer:
        # One serializer for every owner of every chat of the list: a ModelSerializer builds its fields anew for
        # each instance (~0.3 ms), and the list names the owners of each of its chats.
        return PersonSerializer()

    @extend_schema_field(PersonSerializer(many=True))
    def get_owners(self, chat):
        return [self._person.to_representation(m.user) for m in chat.owners]


class PollBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Poll
        fields = ["id", "question", "multiple", "anonymous", "closes_at"]


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True, help_text="имя файла у отправителя")
    size = serializers.IntegerField(read_only=True, help_text="байт")
    url = serializers.SerializerMethodField(help_text="скачать (только участникам чата)")
    thumbnail_url = serializers.SerializerMethodField(help_text="миниатюра JPEG у фото, иначе null")

    class Meta:
        model = Attachment
        fields = ["id", "kind", "name", "content_type", "size", "width", "height", "url", "thumbnail_url"]
        read_only_fields = fields

    def _url(self, name, attachment) -> str:
        url = reverse(name, args=[attachment.chat_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_url(self, attachment) -> str:
        return self._url("chats:attachment", attachment)

    def get_thumbnail_url(self, attachment) -> str | None:
        return self._url("chats:attachment_thumb", attachment) if attachment.thumbnail else None


class MessageSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)
    is_deleted = serializers.BooleanField(read_only=True)
    poll = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

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
            "attachments",
        ]

    # The polls', the files' and the authors' serializers are built once for the whole list, not once per message:
    # a ModelSerializer builds its fields anew for each instance (~0.3 ms), fifty times a page.
    @cached_property
    def _poll(self) -> PollBriefSerializer:
        return PollBriefSerializer()

    @cached_property
    def _person(self) -> PersonSerializer:
        return PersonSerializer()

    @cached_property
    def _moment(self) -> serializers.DateTimeField:
        return serializers.DateTimeField()

    def to_representation(self, message) -> dict:
        """What the declared fields give, drawn from the message's columns: DRF would build this serializer's
        fields and walk them for each message of a page (the fastest page 11.2 → 9.5 ms in-process). The fields
        above stay the schema; `tests/chats/test_api.py::test_a_message_reads_as_its_declared_fields_give_it`
        holds the two equal for every kind of message."""
        moment = self._moment.to_representation
        author = message.author
        return {
            "id": message.pk,
            "chat": message.chat_id,
            "author": None if author is None else self._person.to_representation(author),
            "text": message.text,
            "reply_to": message.reply_to_id,
            "created_at": moment(message.created_at),
            "edited_at": moment(message.edited_at),
            "deleted_at": moment(message.deleted_at),
            "is_deleted": message.is_deleted,
            "poll": self.get_poll(message),
            "attachments": self.get_attachments(message),
        }

    @cached_property
    def _attachment(self) -> AttachmentSerializer:
        return AttachmentSerializer(context=self.context)

    @extend_schema_field(PollBriefSerializer(allow_null=True))
    def get_poll(self, message):
        # Selected with the message: a message without a poll raises here instead of querying.
        poll = message.poll if hasattr(message, "poll") and not message.is_deleted else None
        return self._poll.to_representation(poll) if poll else None

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, message):
        # Read for the whole page by the list (`files`, one query) or prefetched: no query per message. A deleted
        # message has none.
        if message.is_deleted:
            return []
        rows = message.files if hasattr(message, "files") else list(message.attachments.all())
        return [self._attachment.to_representation(row) for row in rows]


class MessageWriteSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH * 2, trim_whitespace=False, allow_blank=True, required=False, default=""
    )
    reply_to = IdField(required=False, allow_null=True)


class MessageUploadSerializer(MessageWriteSerializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        required=False,
        default=list,
        help_text="файлы (поле повторяется); без текста сообщение может состоять из одних файлов",
    )


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
