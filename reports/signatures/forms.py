"""Forms of the signatures area: a PDF to upload or verify; the administrator's certificate and trust-root uploads."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, in_name_order
from reports.inputs import PlainTextField


class SignedPdfForm(forms.Form):
    file = forms.FileField(label=_("Tệp PDF"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))


class AgencyCertificateForm(forms.Form):
    """The administrator's upload: the password opens the PKCS#12 once and is never stored."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.order_by(*in_name_order()), label=_("Cơ quan"))
    pkcs12 = forms.FileField(label=_("Tệp chứng thư số (PKCS#12: .p12, .pfx)"))
    password = forms.CharField(
        label=_("Mật khẩu của tệp PKCS#12"), required=False, widget=forms.PasswordInput(render_value=False)
    )
    seal_image = forms.FileField(label=_("Hình con dấu (PNG, nền trong suốt)"))


class TrustRootForm(forms.Form):
    name = PlainTextField(label=_("Tên"), max_length=200, required=False)
    certificate = forms.FileField(label=_("Chứng thư CA (PEM hoặc DER)"))
