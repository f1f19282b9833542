"""The person's own sessions: the list, ending one or all others, and the report of unauthorised access."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.exceptions import NotFound

from .. import sessions
from ..devices import describe_device
from ..forms import AccessReportForm


def _rows(request):
    current = request.session.session_key
    rows = []
    for row in sessions.sessions_active(request.user):
        rows.append({"row": row, "device": describe_device(row.user_agent), "current": row.session_key == current})
    rows.sort(key=lambda r: not r["current"])
    return rows


@login_required
def session_list(request):
    rows = _rows(request)
    return render(
        request,
        "accounts/sessions.html",
        {
            "rows": rows,
            "others": sum(1 for r in rows if not r["current"]),
            "report_form": AccessReportForm(),
            "has_password": request.user.has_usable_password(),
        },
    )


@login_required
@require_POST
def session_end(request, session_id):
    if (
        request.session.session_key
        and sessions.sessions_active(request.user)
        .filter(pk=session_id, session_key=request.session.session_key)
        .exists()
    ):
        messages.error(request, _("Это текущий сеанс. Чтобы завершить его, нажмите «Выйти»."))
        return redirect("accounts:sessions")
    try:
        row = sessions.session_end(user=request.user, pk=session_id)
    except NotFound:
        raise Http404 from None
    if row.kind == row.Kind.TOKEN:
        messages.success(request, _("API-токен отозван: программы, которые им пользовались, больше не войдут."))
    else:
        messages.success(request, _("Сеанс завершён: %(device)s.") % {"device": describe_device(row.user_agent)})
    return redirect("accounts:sessions")


@login_required
@require_POST
def session_end_others(request):
    ended = sessions.sessions_end_others(user=request.user, current_key=request.session.session_key)
    if ended:
        messages.success(request, _("Завершены все остальные сеансы и API-токены: %(n)s.") % {"n": len(ended)})
    else:
        messages.info(request, _("Других сеансов нет."))
    return redirect("accounts:sessions")


@login_required
def access_report(request):
    """GET: what will happen; POST: end everything, tell the administrators, sign out."""
    form = AccessReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        report = sessions.access_report_create(request, user=request.user, comment=form.cleaned_data["comment"])
        logout(request)
        ended = len(report.ended["sessions"])
        messages.success(
            request,
            _(
                "Все сеансы учётной записи завершены (%(n)s), API-токены и одноразовые коды отозваны, пароль больше "
                "не действует. Администраторы вашей организации получили сообщение. Войдите по одноразовому коду "
                "и задайте новый пароль."
            )
            % {"n": ended},
        )
        return redirect("accounts:login_code")
    return render(request, "accounts/access_report.html", {"form": form})
