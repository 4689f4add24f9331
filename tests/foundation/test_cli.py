import subprocess
import sys
from io import StringIO

from django.core.management import call_command

from treem.accounts.models import Assignment, Role, User
from treem.audit.models import AuditEvent


def test_treem_script_accepts_hyphenated_commands(db, capsys):
    from treem.cli import main

    main(["treem", "load-units"])
    assert "3321 communes" in capsys.readouterr().out


def test_bootstrap_demo_creates_a_user_for_every_role_and_is_repeatable(db):
    out = StringIO()
    call_command("bootstrap", "--demo", stdout=out)
    roles = set(Assignment.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert "Demo logins (password for every demo user:" in out.getvalue()
    users = User.objects.count()
    call_command("bootstrap", "--demo", stdout=StringIO())
    assert User.objects.count() == users
    assert AuditEvent.objects.filter(action="demo.accounts.load").count() == 2


def test_demo_agencies_carry_the_2025_successions(db):
    from treem.accounts.models import Agency

    call_command("bootstrap", "--demo", stdout=StringIO())
    molisa = Agency.objects.get(name="Sở Lao động - Thương binh và Xã hội", province__code="12",
                                province__system="current")
    successors = {s.successor.name for s in molisa.succeeded_by.all()}
    assert {"Sở Y tế", "Sở Nội vụ"} <= successors
    kien_giang_health = Agency.objects.get(name="Sở Y tế", province__system="legacy", province__code="91")
    assert kien_giang_health.succeeded_by.get().successor.province.name == "Tỉnh An Giang"


def test_find_python_script_finds_a_recent_interpreter():
    result = subprocess.run(["sh", "scripts/find-python.sh"], capture_output=True, text=True, check=True)
    version = subprocess.run([result.stdout.strip(), "-c", "import sys; print(sys.version_info >= (3, 12))"],
                             capture_output=True, text=True, check=True)
    assert version.stdout.strip() == "True" and sys.version_info >= (3, 12)
