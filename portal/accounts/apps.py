from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Учётные записи"

    def ready(self):
        from portal.sqlite import install

        install()  # the first app of the portal: SQLite connections fold case for every alphabet (portal/sqlite.py)

        # Django's own sign-in and sign-out hooks: every way of signing in (password, code, an invite's sign-up,
        # the admin) goes through django.contrib.auth.login, so the session is recorded in one place.
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from .sessions import session_record_login, session_record_logout

        user_logged_in.connect(
            lambda sender, request, user, **kw: session_record_login(request, user),
            dispatch_uid="accounts.session_record_login",
            weak=False,
        )
        user_logged_out.connect(
            lambda sender, request, user, **kw: session_record_logout(request),
            dispatch_uid="accounts.session_record_logout",
            weak=False,
        )
