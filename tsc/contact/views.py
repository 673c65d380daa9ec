from django.contrib import messages
from django.shortcuts import redirect, render

from . import services
from .forms import ContactForm


def contact(request):
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        received = services.message_receive(**form.cleaned_data)
        text = "Thank you: your message was received. We reply by e-mail to the address you gave."
        if received.flagged:
            text += (
                " It looked like it held an SSN, FEIN or registration number: we removed those numbers before "
                "keeping it. Please do not send them by e-mail or web form."
            )
        messages.success(request, text)
        return redirect("contact:contact")
    return render(request, "contact/contact.html", {"form": form})
