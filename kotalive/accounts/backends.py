from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from kotalive.accounts.models import User
from kotalive.accounts.selectors import user_find_by_login


class LoginBackend(ModelBackend):
    """Lets Django's own login (the admin site) accept a NIK, e-mail, phone or username.

    The citizen and back-office sign-in pages use accounts.services.sign_in_check, which adds throttling, audit
    and the second factor; this backend only finds the user and checks the password.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        user = user_find_by_login(login=username)
        if user is None or not user.check_password(password) or not self.user_can_authenticate(user):
            return None
        return user
