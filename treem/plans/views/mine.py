"""What the signed-in reporter owes, and her reminders."""


from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from treem.access import require_area, scope_for

from .. import selectors
from ..reminders import reminder_mark_read, reminders_for
from .common import C

# -- what I owe -----------------------------------------------------------------------------------------------------


@login_required
def my_obligations(request):
    scope = scope_for(request.user)
    if not scope.has(C.REPORT_FOR_AGENCY):
        require_area(request.user, C.EDIT_PLANS, None)  # 403
    owed = selectors.owed_by(request.user)
    return render(
        request, "plans/my.html", {**owed, "reminders": reminders_for(request.user)[:20], "today": timezone.localdate()}
    )


@login_required
@require_POST
def reminder_read(request, pk):
    reminder_mark_read(actor=request.user, reminder_id=pk)
    return redirect("plans:my")
