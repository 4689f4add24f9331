from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from treem.access import Capability, forbid_unless, scope_for
from treem.audit.services import record
from treem.core.collation import ViOrder, unit_order
from treem.core.formats import format_date
from treem.core.paging import paginate
from treem.geo.models import Unit, UnitLevel

from . import lockout, selectors, services, two_factor
from .forms import AccountForm, AssignmentForm, EndAssignmentForm, LockoutAuthenticationForm, OTPForm
from .lockout import AuthAction
from .models import Agency, Assignment, Role, User
from .selectors import place_of
from .services import NATIONAL_GRANT_ROLES, user_change_password
from .two_factor import SESSION_NEW_CODES, State


def _next(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure())
    return url if safe else reverse("web:home")


def _step(name: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(name) + "?" + urlencode({"next": next_url}))


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)  # the session now holds the user, but is complete only after the 2nd factor
        user = form.get_user()
        if form.verified_device is not None:  # the code was given with the password (e.g. while throttled)
            two_factor.mark_passed(self.request, form.verified_device)
            two_factor.record_verified(self.request, user, form.verified_device)
        owed = two_factor.state(self.request)
        if owed == State.VERIFY:
            return _step("accounts:two_factor_verify", self.get_success_url())
        if owed == State.ENROL:
            return _step("accounts:two_factor_setup", self.get_success_url())
        lockout.remember_device(response, self.request, user.get_username())
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttle is not None:
            response.status_code = 429  # the page still says, in Vietnamese, how long to wait
        return response


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    owed = two_factor.state(request)
    if owed == State.ENROL:
        return _step("accounts:two_factor_setup", _next(request))
    if owed != State.VERIFY:
        return HttpResponseRedirect(_next(request))
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify(request.user, form.cleaned_data["code"])
        if device is not None:
            two_factor.mark_passed(request, device)
            two_factor.record_verified(request, request.user, device)
            response = HttpResponseRedirect(_next(request))
            lockout.remember_device(response, request, request.user.get_username())
            return response
        username = request.user.get_username()
        lockout.note_failure(request, username)
        record(request.user, AuthAction.OTP_FAILED, request.user, summary={"username": username.lower()},
               request=request)
        form.add_error("code", gettext("The code is wrong or was already used. Wait a moment if you tried several "
                                       "times."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    owed = two_factor.state(request)
    if owed == State.VERIFY:
        return _step("accounts:two_factor_verify", _next(request))
    user = request.user
    if two_factor.has_device(user):
        return HttpResponseRedirect(reverse("accounts:recovery_codes"))
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.enrol_confirm(request=request, user=user, code=form.cleaned_data["code"])
        if codes is not None:
            request.session[SESSION_NEW_CODES] = codes
            response = _step("accounts:recovery_codes", _next(request))
            lockout.remember_device(response, request, user.get_username())
            return response
        form.add_error("code", gettext("The code is wrong. Check that the phone's clock is right and try again."))
    device = two_factor.pending_device(user)
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "next": _next(request), "required": owed == State.ENROL,
        "qr": two_factor.qr_svg_data_uri(device), "secret": two_factor.secret_for_typing(device),
    })


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """New codes are shown (and downloadable) until the user says she saved them; after that, only how many are left."""
    if request.method == "POST":
        if request.POST.get("action") == "regenerate":
            request.session[SESSION_NEW_CODES] = two_factor.recovery_codes_regenerate(request=request,
                                                                                       user=request.user)
            return _step("accounts:recovery_codes", _next(request))
        request.session.pop(SESSION_NEW_CODES, None)
        return HttpResponseRedirect(_next(request))
    return render(request, "accounts/recovery_codes.html", {
        "codes": request.session.get(SESSION_NEW_CODES), "left": two_factor.recovery_codes_left(request.user),
        "enrolled": two_factor.has_device(request.user), "next": _next(request),
    })


@login_required
def recovery_codes_download(request):
    codes = request.session.get(SESSION_NEW_CODES)
    if not codes:
        raise Http404
    response = HttpResponse(two_factor.recovery_codes_file(codes), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="treem-ma-khoi-phuc.txt"'
    response["Cache-Control"] = "no-store"
    return response


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
def user_two_factor_reset(request, pk):
    """A lost phone: the user's devices and recovery codes go; she enrols again at her next login (audited)."""
    account = _visible_user(request.user, pk)
    two_factor.two_factor_reset(actor=request.user, user=account, request=request)
    messages.success(request, gettext("Two-factor authentication was reset: the user sets it up at the next login."))
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
