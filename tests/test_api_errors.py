"""The one error shape of the API holds for nested field errors too: flat dotted keys, a 400, never a 500."""

import pytest
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from portal.api.errors import exception_handler


class PhoneSerializer(serializers.Serializer):
    number = serializers.RegexField(r"^\+7\d{10}$", error_messages={"invalid": "Номер в виде +7XXXXXXXXXX."})


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=10)
    phones = PhoneSerializer(many=True)
    scores = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    address = serializers.DictField(child=serializers.CharField(max_length=5))


class PeopleView(APIView):
    authentication_classes = []
    permission_classes = []

    def post(self, request):
        ser = PersonSerializer(data=request.data, many=isinstance(request.data, list))
        ser.is_valid(raise_exception=True)
        return Response({"ok": True})


GOOD = {"name": "Анна", "phones": [{"number": "+79140000000"}], "scores": [[5, 4]], "address": {"дом": "1"}}


def post(body):
    request = APIRequestFactory().post("/people/", body, format="json")
    return PeopleView.as_view()(request)


def test_nested_serializers_list_fields_and_dict_fields_flatten_to_dotted_keys():
    resp = post(
        {
            "name": "Анна",
            "phones": [{"number": "+79140000000"}, {"number": "8-914"}],
            "scores": [[5, 4], [3, "пять"]],
            "address": {"дом": "слишком длинный"},
        }
    )

    assert resp.status_code == 400
    error = resp.data["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"phones.1.number", "scores.1.1", "address.дом"}
    assert error["fields"]["phones.1.number"] == ["Номер в виде +7XXXXXXXXXX."]
    assert all(isinstance(m, str) for messages in error["fields"].values() for m in messages)
    assert error["message"] == "Проверьте введённые данные. Номер в виде +7XXXXXXXXXX."


def test_a_list_body_gives_errors_per_item_and_plain_errors_stay_as_they_were():
    resp = post([GOOD, {**GOOD, "name": "Очень длинное имя"}])
    assert resp.status_code == 400
    assert list(resp.data["error"]["fields"]) == ["1.name"]

    resp = post({**GOOD, "name": ""})
    assert resp.status_code == 400
    assert list(resp.data["error"]["fields"]) == ["name"]

    resp = post("просто строка")
    assert resp.status_code == 400
    assert list(resp.data["error"]["fields"]) == ["non_field_errors"]

    assert post(GOOD).status_code == 200


@pytest.mark.parametrize(
    ("detail", "fields"),
    [
        (["Ошибка."], {"non_field_errors": ["Ошибка."]}),
        ({"items": {0: ["Пусто."], 3: ["Длинно.", "Ещё."]}}, {"items.0": ["Пусто."], "items.3": ["Длинно.", "Ещё."]}),
        ({"rows": [{}, {"a": {"b": ["Нет."]}}]}, {"rows.1.a.b": ["Нет."]}),
        ({"empty": []}, {}),
    ],
)
def test_any_nesting_is_flattened(detail, fields):
    resp = exception_handler(ValidationError(detail), {})
    assert resp.status_code == 400
    assert resp.data["error"]["fields"] == fields
    first = next((messages[0] for messages in fields.values()), None)
    expected = f"Проверьте введённые данные. {first}" if first else "Проверьте введённые данные."
    assert resp.data["error"]["message"] == expected


@pytest.mark.django_db
def test_a_format_suffix_on_any_api_route_is_not_found_not_a_server_error():
    from rest_framework.test import APIClient

    from invites.services.links import invite_create
    from tests.factories import ClassFactory, OrganisationFactory, admin_of

    org = OrganisationFactory()
    admin = admin_of(org)
    invite, _ = invite_create(
        organisation=org, actor=admin, role="student", target_group=ClassFactory(organisation=org)
    )
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(admin)
    for path in (
        f"/api/v1/orgs/{org.pk}/invites/{invite.pk}",
        f"/api/v1/orgs/{org.pk}/invites/export",
        f"/api/v1/orgs/{org.pk}/invites",
        f"/api/v1/orgs/{org.pk}/chats",
        f"/api/v1/orgs/{org.pk}",
    ):
        assert api.get(path + "/").status_code == 200, path
        response = api.get(path + ".json")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
