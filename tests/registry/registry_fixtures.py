"""Fixtures and builders shared by the registry tests (imported explicitly by each test module)."""

import csv
import io
from datetime import date

import pytest
from rest_framework.test import APIClient

from tests.conftest import current
from tests.registry.quality_files import write_ods, write_xlsx
from treem.accounts.models import Role
from treem.core.actors import SYSTEM
from treem.geo.models import UnitLevel
from treem.registry import services
from treem.registry.models import Child
from treem.registry.reference import load_reference

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Số định danh cá nhân", "Thôn/bản",
          "Họ tên cha/mẹ/người chăm sóc", "Số điện thoại"]


def years_ago(years: int, days: int = 0) -> date:
    """The same day `years` ago, then `days` earlier (negative: later)."""
    return date.fromordinal(services.years_before(date.today(), years).toordinal() - days)


def pid(sex: str, born: date, tail: int, province: str = "012") -> str:
    century = (born.year - 1900) // 100
    return f"{province}{2 * century + (1 if sex == 'F' else 0)}{born.year % 100:02d}{tail:06d}"


@pytest.fixture(name="reference")
def reference_fixture(db):
    load_reference()


@pytest.fixture(name="add_child")
def add_child_fixture(reference, commune_x):
    def add(full_name="Nguyễn Văn Đức", commune=None, sex="M", born=None, **data) -> Child:
        born = born or years_ago(8)
        return services.child_create(actor=SYSTEM, commune=commune or commune_x,
                                     data={"full_name": full_name, "sex": sex, "birth_date": born, **data})

    return add


@pytest.fixture(name="worker_y")
def worker_y_fixture(make_user, commune_y):
    return make_user("canbo.y", Role.COMMUNE_WORKER, commune_y)


@pytest.fixture(name="chair_x")
def chair_x_fixture(make_user, commune_x):
    return make_user("chutich.x", Role.COMMUNE_CHAIR, commune_x)


@pytest.fixture(name="leader")
def leader_fixture(make_user, lai_chau):
    return make_user("lanhdao.laichau", Role.LEADER, lai_chau)


@pytest.fixture(name="an_giang_commune")
def an_giang_commune_fixture(db):
    return current(UnitLevel.COMMUNE, "30742")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def rows_for_file(children: list[tuple]) -> list[list]:
    """[(name, birth date, sex, ethnicity, personal id, village, carer, phone)] -> rows with an STT column."""
    return [[i, *row] for i, row in enumerate(children, start=1)]


def xlsx_bytes(tmp_path, rows, header=HEADER, title=True, sheet="Danh sách") -> bytes:
    grid = ([["DANH SÁCH TRẺ EM DƯỚI 16 TUỔI"], []] if title else []) + [header, *rows]
    return write_xlsx(tmp_path / "ds.xlsx", {sheet: grid}).read_bytes()


def ods_bytes(tmp_path, rows, header=HEADER) -> bytes:
    return write_ods(tmp_path / "ds.ods", {"Trang1": [header, *rows]}).read_bytes()


def csv_bytes(rows, header=HEADER, delimiter=";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([v.strftime("%d/%m/%Y") if isinstance(v, date) else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def fail_inserting(monkeypatch, model) -> None:
    """Make the import's bulk insert of `model` rows fail (as a full disk would), after the rows before it went in."""
    from treem.core import bulk

    real = bulk.insert_dicts

    def insert_dicts(into, rows):
        if into is model:
            raise RuntimeError("disk full")
        return real(into, rows)

    monkeypatch.setattr(bulk, "insert_dicts", insert_dicts)
