from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .sessions import token_touch


class TrackedTokenAuthentication(TokenAuthentication):
    """DRF's token authentication that also records when and from where the token was last used (see
    `token_touch`): the token, its person and its row come in one query."""

    def authenticate(self, request):
        self._request = request
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        model = self.get_model()
        token = model.objects.select_related("user", "tracking").filter(key=key).first()
        if token is None:
            raise AuthenticationFailed(_("Неверный токен."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("Учётная запись отключена."))
        token_touch(self._request, token)
        return (token.user, token)
