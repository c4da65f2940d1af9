from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class SignUpForm(forms.Form):
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
    birth_date = forms.CharField(
        label=_("Date of birth (YYYY-MM-DD)"),
        max_length=10,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password (at least 10 characters)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class SignInForm(forms.Form):
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
        label=_("Authenticator code (staff with two-factor sign-in)"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class VerifyForm(forms.Form):
    channel = forms.ChoiceField(label=_("Which contact"), choices=[("phone", _("Phone")), ("email", _("E-mail"))])
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
