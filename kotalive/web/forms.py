import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _


class DayMonthYearField(forms.CharField):
    """A date typed as day-month-year (17-08-1990), the way Indonesian forms and documents write it and every page
    shows it (config/formats); the ISO form (1990-08-17) is accepted too. Cleans to the ISO text the services take."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("help_text", _("Day, month and year, for example 17-08-1990."))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = (super().to_python(value) or "").strip().replace("/", "-").replace(".", "-")
        if not text:
            return text
        for pattern in get_format("DATE_INPUT_FORMATS"):  # the language's, day-month-year first (config/formats)
            try:
                return dt.datetime.strptime(text, pattern).date().isoformat()  # noqa: DTZ007 (a calendar date, no time)
            except ValueError:
                continue
        raise forms.ValidationError(_("Write the date as day, month and year, for example 17-08-1990."))


class SignUpForm(forms.Form):
    """A citizen's account: who they are (checked against the registry) and at least one contact, each verified."""

    nik = forms.CharField(
        label=_("NIK (16 digits, on your KTP or family card)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(
        label=_("Full name, as on your family card"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    birth_date = DayMonthYearField(
        label=_("Date of birth"),
        widget=forms.TextInput(attrs={"autocomplete": "bday", "inputmode": "numeric", "placeholder": "DD-MM-YYYY"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        help_text=_(
            "Give your mobile phone, your e-mail address or both: at least one is needed. We send a code to each "
            "to check it is yours."
        ),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        help_text=_("Needed when you give no mobile phone."),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password (at least 10 characters)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("phone", "email"):  # one of the two is needed: neither is marked "(optional)"
            self.fields[name].one_of = True  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email") and "phone" not in self.errors:
            self.add_error("phone", _("Give a mobile phone number or an e-mail address, so we can reach you."))
        return data


class SignInForm(forms.Form):
    """Sign-in in one step for citizens; staff whose role needs a second factor are asked for their authenticator
    code on a second step (`ask_code`), which has the code field only (the login and password wait in the server's
    session, web.views.signin), so no citizen sees a staff field and no password goes back into a page."""

    login = forms.CharField(
        label=_("NIK, e-mail, phone or username"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    totp = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )

    def __init__(self, *args: Any, ask_code: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ask_code = ask_code
        if not ask_code:
            del self.fields["totp"]
            return
        del self.fields["login"]
        del self.fields["password"]
        self.fields["totp"].required = True


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ResetRequestForm(forms.Form):
    login = forms.CharField(label=_("NIK, e-mail, phone or username"), max_length=254)


class ResetConfirmForm(forms.Form):
    login = forms.CharField(label=_("NIK, e-mail, phone or username"), max_length=254)
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    new_password = forms.CharField(
        label=_("New password (at least 10 characters)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class StaffMemberForm(forms.Form):
    username = forms.CharField(label=_("Username (e.g. dukcapil.verifikator2)"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=[])

    def __init__(self, data: Any = None, *, roles: Sequence[tuple[str, Any]]) -> None:
        super().__init__(data)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)  # noqa: S101 (declared just above)
        role_field.choices = list(roles)
