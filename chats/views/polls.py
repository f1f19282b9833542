"""Creating a poll in the browser: a form of a question and its options, posted as a message of the chat."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.exceptions import PortalError
from portal.web import apply_error_to_form

from ..event_forms import PollForm
from ..permissions import can_post
from ..services.polls import poll_create
from .chat import chat_for_page


@login_required
@require_http_methods(["GET", "POST"])
def poll_new(request, chat_id):
    chat = chat_for_page(request, chat_id)
    if not can_post(request.user, chat):
        raise PermissionDenied
    form = PollForm(request.POST or None, organisation=chat.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = poll_create(
                chat=chat,
                actor=request.user,
                question=data["question"],
                options=data["options"],
                multiple=data["multiple"],
                anonymous=data["anonymous"],
                closes_at=data["closes_at"],
            )
        except PortalError as error:
            apply_error_to_form(form, error)
        else:
            flash.success(request, _("Опрос опубликован."))
            return redirect(f"{reverse('chats:chat', args=[chat.pk])}#m{poll.message_id}")
    return render(request, "chats/poll_form.html", {"chat": chat, "form": form})
