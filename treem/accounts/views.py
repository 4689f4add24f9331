from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from treem.core.collation import ViOrder, unit_order
from treem.core.formats import format_date
from treem.geo.models import Unit, UnitLevel
from treem.web.views import paginate

from . import selectors, services
from .forms import AccountForm, AssignmentForm, EndAssignmentForm, LockoutAuthenticationForm
from .models import Agency, Assignment, Role, User
from .scope import Capability, forbid_unless, scope_for
from .selectors import place_of
from .services import NATIONAL_GRANT_ROLES, user_change_password


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("web:home")

    def form_valid(self, form):
        with transaction.atomic():
            user_change_password(actor=self.request.user, user=self.request.user,
                                 new_password=form.cleaned_data["new_password1"], request=self.request)
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("Your password was changed."))
        return HttpResponseRedirect(self.get_success_url())


# ---- the province's accounts (issue 11): the administrator's pages, in place of Django's admin


def _choices(actor, province_pk: str | None):
    """Roles, units and agencies the administrator may give. A national administrator picks a province first (its
    communes would otherwise make a list of 3,000); without one she gives provinces, national bodies or nationwide."""
    scope = scope_for(actor)
    cap = Capability.MANAGE_USERS
    national = scope.is_national(cap)
    roles = [r for r in Role.values if national or r not in NATIONAL_GRANT_ROLES]
    today = timezone.localdate()
    current = Unit.objects.current().valid_on(today)
    if national:
        province = current.provinces().filter(pk=province_pk).first() if province_pk and province_pk.isdigit() else None
        if province is None:
            units = current.provinces()
            agencies = Agency.objects.valid_on(today).filter(province__isnull=True)
        else:
            units = current.filter(Q(pk=province.pk) | Q(province=province, level=UnitLevel.COMMUNE))
            agencies = Agency.objects.valid_on(today).filter(province=province)
    else:
        provinces = scope.province_ids(cap)
        communes = scope.commune_ids(cap)
        units = current.filter(Q(pk__in=provinces | communes) | Q(province__in=provinces, level=UnitLevel.COMMUNE))
        agencies = Agency.objects.valid_on(today).filter(Q(province__in=provinces) | Q(unit__in=communes))
    units = units.order_by("-level", *unit_order())  # the province first, then its communes in Vietnamese order
    return {"roles": roles, "units": units, "agencies": agencies.order_by(ViOrder("name")), "national": national}


def _provinces_for(actor):
    """A national administrator's choice of province (for the units of an assignment); nobody else's."""
    if not scope_for(actor).is_national(Capability.MANAGE_USERS):
        return None
    return Unit.objects.current().provinces().order_by(*unit_order())


def _service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _no_store(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def users(request):
    text = request.GET.get("q", "").strip()[:100]
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    unit = request.GET.get("unit", "")
    unit_id = int(unit) if unit.isdigit() else None
    active = request.GET.get("active", "")
    qs = selectors.search_users(request.user, text=text, role=role, unit_id=unit_id, active=active)
    today = timezone.localdate()
    qs = qs.prefetch_related(Prefetch("assignments", to_attr="current_assignments",
                                      queryset=Assignment.objects.valid_on(today)
                                      .select_related("unit__province", "agency__province")))
    page, querystring_base = paginate(request, qs)
    rows = [(u, [(Role(a.role).label, place_of(a)) for a in u.current_assignments]) for u in page]
    return render(request, "accounts/users.html", {
        "page": page, "rows": rows, "querystring_base": querystring_base, "q": text, "role": role,
        "unit": unit_id, "active": active, "roles": Role.choices,
        "units": selectors.unit_filter_choices(request.user),
        "may_create": bool(_choices(request.user, None)["units"]),
    })


@login_required
@require_http_methods(["GET", "POST"])
def user_new(request):
    scope = scope_for(request.user)
    forbid_unless(scope, scope.has(Capability.MANAGE_USERS), needs=Capability.MANAGE_USERS)
    province = request.GET.get("province")
    choices = _choices(request.user, province)
    form = AccountForm(request.POST or None, initial={"valid_from": timezone.localdate()}, **choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.account_create(
                actor=request.user, username=data["username"], full_name=data["full_name"], email=data["email"],
                phone=data["phone"], role=data["role"], unit=data["unit"], agency=data["agency"],
                valid_from=data["valid_from"], valid_to=data["valid_to"], request=request)
        except ValidationError as exc:
            _service_errors(form, exc)
        else:  # the password is in this response only: never stored in clear, never in a redirect or a message
            return _no_store(render(request, "accounts/password_shown.html", {
                "account": user, "password": password, "created": True}))
    return render(request, "accounts/user_new.html", {
        "form": form, "provinces": _provinces_for(request.user), "province": province},
        status=400 if form.is_bound else 200)


def _visible_user(actor, pk):
    try:
        return selectors.user_for(actor, pk)
    except User.DoesNotExist:
        raise Http404 from None


def _detail(request, account, *, assignment_form=None, end_errors=None, status=200):
    province = request.GET.get("province")
    manageable = services.may_manage_user(request.user, account)
    if assignment_form is None and manageable:
        assignment_form = AssignmentForm(initial={"valid_from": timezone.localdate()},
                                         **_choices(request.user, province))
    today = timezone.localdate()
    rows = [{"assignment": a, "role": Role(a.role).label, "where": place_of(a),
             "ended": bool(a.valid_to and a.valid_to < today),
             "may_end": manageable and not (a.valid_to and a.valid_to < today)
             and services.may_end(request.user, a)}
            for a in selectors.assignments_of(account)]
    return render(request, "accounts/user.html", {
        "account": account, "rows": rows, "manageable": manageable, "is_self": account.pk == request.user.pk,
        "assignment_form": assignment_form if manageable else None, "end_form": EndAssignmentForm(
            initial={"on": today}), "end_errors": end_errors or [], "provinces": _provinces_for(request.user),
        "province": province}, status=status)


@login_required
@require_GET
def user_detail(request, pk):
    return _detail(request, _visible_user(request.user, pk))


@login_required
@require_POST
def assignment_new(request, pk):
    account = _visible_user(request.user, pk)
    form = AssignmentForm(request.POST, **_choices(request.user, request.GET.get("province")))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_create(actor=request.user, user=account, role=data["role"], unit=data["unit"],
                                       agency=data["agency"], valid_from=data["valid_from"],
                                       valid_to=data["valid_to"], request=request)
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, gettext("The assignment was added."))
            return redirect("accounts:user", pk=account.pk)
    return _detail(request, account, assignment_form=form, status=400)


@login_required
@require_POST
def assignment_end(request, pk):
    assignment = Assignment.objects.filter(pk=pk, user__in=selectors.users_visible_to(request.user)).first()
    if assignment is None:
        raise Http404
    form = EndAssignmentForm(request.POST)
    errors = []
    if form.is_valid():
        try:
            services.assignment_end(actor=request.user, assignment=assignment, on=form.cleaned_data["on"],
                                    request=request)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, gettext("The assignment ends on %(day)s.") % {
                "day": format_date(form.cleaned_data["on"])})
            return redirect("accounts:user", pk=assignment.user_id)
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
    return _detail(request, assignment.user, end_errors=errors, status=400)


@login_required
@require_POST
def user_lock(request, pk):
    account = _visible_user(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=request.user, user=account, active=active, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        done = gettext("The account was unlocked.") if active else gettext("The account was locked.")
        messages.success(request, done)
    return redirect("accounts:user", pk=account.pk)


@login_required
@require_POST
def user_password_reset(request, pk):
    account = _visible_user(request.user, pk)
    try:
        password = services.user_password_reset(actor=request.user, user=account, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("accounts:user", pk=account.pk)
    return _no_store(render(request, "accounts/password_shown.html", {"account": account, "password": password}))
