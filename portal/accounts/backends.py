from django.contrib.auth.backends import ModelBackend

from .models import User
from .services import user_find_by_identifier


class PhoneOrEmailBackend(ModelBackend):
    """Password sign-in where the login is a phone number (any Russian form) or an e-mail."""

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
