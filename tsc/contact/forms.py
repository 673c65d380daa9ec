from django import forms

from tsc.lib.forms import UswdsForm


class ContactForm(UswdsForm):
    name = forms.CharField(label="Your name", max_length=120)
    email = forms.EmailField(label="Your e-mail address", max_length=254, help_text="We reply to this address.")
    subject = forms.CharField(label="Subject", max_length=150)
    message = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 8}), max_length=5000)
