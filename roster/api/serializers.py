"""Serializers of the roster API."""

from rest_framework import serializers

from ..columns import FIELDS
from ..models import RosterImport, RosterKind
from ..planning import plan_build
from ..services.apply import roster_import_progress


class UploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RosterKind.choices, help_text="students — обучающиеся, staff — сотрудники")
    file = serializers.FileField(
        help_text="CSV (UTF-8 или Windows-1251, «;» или «,») или XLSX; до 10 МБ и 20 000 строк"
    )


class MappingSerializer(serializers.Serializer):
    mapping = serializers.DictField(
        child=serializers.IntegerField(min_value=0), help_text="поле → номер столбца (с нуля)"
    )


class FixSerializer(serializers.Serializer):
    row = serializers.IntegerField(min_value=1, help_text="номер строки в файле (заголовок — строка 1)")
    values = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=300))


class ClassesSerializer(serializers.Serializer):
    classes = serializers.ListField(child=serializers.CharField(max_length=30), min_length=1, max_length=500)


class LineSerializer(serializers.Serializer):
    row = serializers.IntegerField(source="number")
    action = serializers.CharField(help_text="new, already, moved, duplicate, error")
    last_name = serializers.CharField(source="person.last_name", default="")
    first_name = serializers.CharField(source="person.first_name", default="")
    patronymic = serializers.CharField(source="person.patronymic", default="")
    group = serializers.CharField(source="group_name")
    create_class = serializers.BooleanField()
    moved_from = serializers.CharField()
    duplicate_of = serializers.IntegerField(allow_null=True)
    is_minor = serializers.BooleanField()
    messages = serializers.ListField(child=serializers.CharField())


class ImportSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = RosterImport
        fields = [
            "id", "kind", "file_name", "status", "total", "done", "headers", "mapping", "create_classes",
            "result", "created_at", "finished_at", "progress",
        ]  # fmt: skip

    def get_progress(self, imp) -> dict:
        return roster_import_progress(imp)


class PreviewSerializer(ImportSerializer):
    fields_known = serializers.SerializerMethodField(help_text="поля, которые можно сопоставить столбцам")
    totals = serializers.SerializerMethodField()
    missing_classes = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField()

    class Meta(ImportSerializer.Meta):
        fields = [*ImportSerializer.Meta.fields, "fields_known", "totals", "missing_classes", "rows"]

    def _plan(self, imp):
        if not hasattr(self, "_cached_plan"):
            self._cached_plan = plan_build(imp)
        return self._cached_plan

    def get_fields_known(self, imp) -> dict:
        return {field.name: field.label_in(imp.organisation.vocabulary) for field in FIELDS[imp.kind]}

    def get_totals(self, imp) -> dict:
        return self._plan(imp).totals

    def get_missing_classes(self, imp) -> dict:
        return self._plan(imp).missing_classes

    def get_rows(self, imp) -> list:
        lines = self._plan(imp).lines
        return LineSerializer([{**line.__dict__, "messages": line.messages()} for line in lines], many=True).data
