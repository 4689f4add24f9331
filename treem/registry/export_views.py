"""Export of the child register: the filtered list as a password-protected file, every export logged.

The list's "Export Excel" / "Export CSV" buttons open a form (format, password twice, how many children). On POST
the filters are applied again with the person's own scope. Up to DIRECT_LIMIT children the file is made in the
request and returned at once; above that a background job makes it into a PreparedFile (treem.core.files) that only
this person can download, for 24 hours.

- XLSX: encrypted with the password (treem.core.protect.encrypt_xlsx).
- CSV: cannot be encrypted itself, so it is delivered inside a ZIP encrypted with AES-256 (encrypt_zip).
- Text a spreadsheet would run as a formula (= + - @ tab CR) is neutralised by write_xlsx / write_csv.
- The password is never stored: for a job it travels sealed (encrypted with a key derived from SECRET_KEY, expiring)
  in the job's parameters, and the runner removes it before it starts writing (see treem.core.protect).
"""

import io
import tempfile

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from treem.access import Capability, forbid_unless, scope_for
from treem.audit.services import record
from treem.core.files import download_url, prepared_file_create
from treem.core.formats import format_number
from treem.core.jobs import job_progress, job_start
from treem.core.models import Job
from treem.core.protect import SealExpired, encrypt_xlsx, encrypt_zip, seal, unseal

from . import selectors
from .models import Sex
from .quality import columns as cols
from .quality.export import write_csv, write_xlsx
from .selectors import ChildFilters

VIEW = Capability.VIEW_CHILDREN
DIRECT_LIMIT = 2000  # up to this many children the file is made in the request; above, by a background job
PROGRESS_EVERY = 1000
KIND = "registry.export"
RUNNER = "treem.registry.export_views.run_export"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_TYPE = "application/zip"
SHEET = "Danh sách trẻ em"

EXPORT_HEADERS = [cols.FIELD_LABELS[cols.FULL_NAME], cols.FIELD_LABELS[cols.SEX], cols.FIELD_LABELS[cols.BIRTH_DATE],
                  cols.FIELD_LABELS[cols.ETHNICITY], cols.FIELD_LABELS[cols.PERSONAL_ID],
                  cols.FIELD_LABELS[cols.BIRTH_REGISTERED], "Xã/phường", cols.FIELD_LABELS[cols.VILLAGE],
                  cols.FIELD_LABELS[cols.ADDRESS], cols.FIELD_LABELS[cols.SCHOOL], cols.FIELD_LABELS[cols.GRADE],
                  "Tình trạng", "Hoàn cảnh đặc biệt", cols.FIELD_LABELS[cols.CARER_NAME],
                  cols.FIELD_LABELS[cols.CARER_PHONE]]


def _export_rows(qs):
    for child in qs.iterator(chunk_size=2000):
        carers = sorted(child.carer_links.all(), key=lambda link: not link.primary)
        carer = carers[0].carer if carers else None
        yield [child.full_name, "Nam" if child.sex == Sex.MALE else "Nữ", child.birth_date, child.ethnicity,
               child.personal_id, child.get_birth_registered_display(), child.commune.name, child.village,
               child.address, child.school, child.grade, child.get_status_display(),
               ", ".join(c.group.code for c in child.open_circumstances),
               carer.full_name if carer else "", carer.phone if carer else ""]


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("File format"), initial="xlsx",
        choices=[("xlsx", _("Excel (.xlsx) opened with the password")),
                 ("csv", _("CSV in a ZIP file encrypted with AES-256 (opened with the password)"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    password = forms.CharField(
        label=_("Password for the file"), min_length=10, max_length=128, strip=False,
        help_text=_("At least 10 characters. Give it to the recipient by another channel."),
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password",
                                          "aria-describedby": "password-help"}))
    password_again = forms.CharField(
        label=_("Password again"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


class _Counted:
    """The rows, counted as they are written; `progress(n)` every PROGRESS_EVERY rows."""

    def __init__(self, rows, progress=None):
        self.rows, self.progress, self.count = rows, progress, 0

    def __iter__(self):
        for row in self.rows:
            yield row
            self.count += 1
            if self.progress and self.count % PROGRESS_EVERY == 0:
                self.progress(self.count)


def build_file(qs, fmt: str, password: str, progress=None) -> tuple[bytes, str, str, int]:
    """(encrypted content, file name, content type, number of children) for the children of `qs`."""
    base = f"danh-sach-tre-em-{timezone.localdate():%Y%m%d}"
    rows = _Counted(_export_rows(qs), progress)
    if fmt == "csv":
        plain = io.BytesIO()
        write_csv(rows, EXPORT_HEADERS, plain)
        return encrypt_zip({f"{base}.csv": plain.getvalue()}, password), f"{base}.zip", ZIP_TYPE, rows.count
    with tempfile.TemporaryFile() as handle:
        write_xlsx(rows, EXPORT_HEADERS, handle, sheet_name=SHEET)
        handle.seek(0)
        plain_xlsx = handle.read()
    return encrypt_xlsx(plain_xlsx, password), f"{base}.xlsx", XLSX_TYPE, rows.count


def _summary(fmt: str, count: int, filters: ChildFilters, **extra) -> dict:
    return {"format": fmt, "count": count, "filters": filters.as_dict(), "encrypted": True, **extra}


def _require_view(user) -> None:
    scope = scope_for(user)
    forbid_unless(scope, scope.has(VIEW), needs=VIEW)


@login_required
@require_http_methods(["GET", "POST"])
def child_export(request):
    """GET: the form, for the filters of the list. POST: the file (small list) or the job page (large list)."""
    _require_view(request.user)
    params = request.POST if request.method == "POST" else request.GET
    filters = ChildFilters.from_params(params)
    qs = selectors.children_to_export(request.user, filters)
    if request.method == "POST":
        form = ExportForm(request.POST)
        if form.is_valid():
            return _export(request, filters, qs, form.cleaned_data["format"], form.cleaned_data["password"])
    else:
        fmt = request.GET.get("format")
        form = ExportForm(initial={"format": fmt if fmt in ("xlsx", "csv") else "xlsx"})
    count = qs.count()
    list_url = reverse("registry:list") + (f"?{urlencode(filters.as_dict())}" if filters.as_dict() else "")
    return render(request, "registry/export.html", {
        "form": form, "count": count, "background": count > DIRECT_LIMIT, "filters": filters.as_dict(),
        "list_url": list_url}, status=400 if form.is_bound else 200)


def _export(request, filters: ChildFilters, qs, fmt: str, password: str):
    count = qs.count()
    if count > DIRECT_LIMIT:
        with transaction.atomic():
            job = job_start(actor=request.user, kind=KIND, runner=RUNNER, total=count,
                            params={"fmt": fmt, "filters": filters.as_dict(), "sealed_password": seal(password)})
        return redirect("registry:export_job", pk=job.pk)
    content, filename, content_type, rows = build_file(qs, fmt, password)
    record(request.user, "registry.child.export", None, request=request,
           summary=_summary(fmt, rows, filters, file=None))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def export_legacy(request, fmt: str):
    """The old addresses /children/export.xlsx|csv: the form, with the same filters (never a file on a GET)."""
    query = request.GET.copy()
    query["format"] = fmt
    return redirect(reverse("registry:export") + "?" + query.urlencode())


@login_required
@require_GET
def export_job(request, pk):
    job = Job.objects.filter(pk=pk, actor=request.user, kind=KIND).first()
    if job is None:
        raise Http404
    return render(request, "registry/export_job.html", {"job": job, "done_url": (job.result or {}).get("url", "")})


def run_export(job, *, fmt: str, filters: dict, sealed_password: str = "") -> dict:
    """The job runner: forget the sealed password, make the file with the person's own scope, keep it for them."""
    Job.objects.filter(pk=job.pk).update(params={k: v for k, v in job.params.items() if k != "sealed_password"})
    try:
        password = unseal(sealed_password)
    except SealExpired:
        raise ValueError("Yêu cầu xuất đã chờ quá lâu nên mật khẩu không còn dùng được; hãy xuất lại.") from None
    user = job.actor
    if user is None or not user.is_active or not scope_for(user).has(VIEW):
        raise ValueError("Tài khoản không còn quyền xem danh sách trẻ em.")
    child_filters = ChildFilters.from_params(filters)
    qs = selectors.children_to_export(user, child_filters)
    total = qs.count()
    job_progress(job, 0, total, "Đang chuẩn bị tệp")

    def progress(done: int) -> None:
        job_progress(job, done, total, f"Đã ghi {format_number(done, 0)}/{format_number(total, 0)} trẻ")

    content, filename, content_type, rows = build_file(qs, fmt, password, progress)
    with transaction.atomic():
        prepared = prepared_file_create(owner=user, kind=KIND, filename=filename, content=content, rows=rows,
                                        content_type=content_type)
        record(user, "registry.child.export", prepared,
               summary=_summary(fmt, rows, child_filters, file=str(prepared.pk), job=str(job.pk)))
    job_progress(job, rows, rows, f"Đã ghi {format_number(rows, 0)} trẻ")
    return {"url": download_url(prepared), "file": str(prepared.pk), "rows": rows}
