from django.contrib.auth.backends import ModelBackend

from portal.compiled import Compiled

from .models import User
from .services import user_find_by_identifier

# The signed-in person of every browser request, by the id their session holds: compiled once (portal.compiled).
_USER_BY_ID = Compiled(User, lambda pk: User._default_manager.filter(pk=pk), arity=1)


class PhoneOrEmailBackend(ModelBackend):
    """Password sign-in where the login is a phone number (any Russian form) or an e-mail."""

    def get_user(self, user_id):
        """The session's person, as ModelBackend reads them (None when gone or inactive)."""
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        found = _USER_BY_ID(pk) if 0 < pk < 2**63 else []
        return found[0] if found and self.user_can_authenticate(found[0]) else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = user_find_by_identifier(username)
        if user is None:
            # Spend the same time as a real check so that logins cannot be probed.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
