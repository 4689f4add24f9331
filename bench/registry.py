"""Child-register benchmark (not a test): import speed, scoped name search, commune list page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/treem_bench .venv/bin/python bench/registry.py [--children 1000000]

1. Fills the database with N synthetic children in one province (default An Giang, code 91), once: later runs reuse
   them (the database is created if missing).
2. Import: a 100,000-row XLSX file for one commune, imported end to end (read, check every row, match against the
   register, write children, carers, links and one audit event per child, in one transaction), compared with reading
   the same file plus a raw COPY of the same rows into registry_child. Prints the ratio (target <= 3).
3. Scoped name search p95 (target < 50 ms): the first page of results of child_list(user, q=...) for a province
   officer and a commune worker, with and without diacritics, full names and fragments.
4. Commune list page p95 (target < 150 ms): GET /children/ through the Django test client as the commune worker;
   the same for the province officer and for the API's list (/api/v1/children/, a first and a deep numbered page),
   and a client walking 100,000 of the province's children through the API with paging=cursor.

Writes the figures to docs/benchmarks.md, section "Child registry".
"""

import argparse
import io
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,testserver")


def ensure_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    conninfo = {"host": cfg["HOST"] or None, "port": cfg["PORT"] or None, "user": cfg["USER"] or None,
                "password": cfg["PASSWORD"] or None, "dbname": "postgres"}
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (cfg["NAME"],)).fetchone():
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
            print(f"created database {cfg['NAME']}")


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def machine() -> dict:
    info = {"cpus": os.cpu_count(), "python": platform.python_version()}
    try:
        meminfo = Path("/proc/meminfo").read_text()
        info["memory_gb"] = round(int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) / 1024 / 1024, 1)
    except (OSError, AttributeError):
        info["memory_gb"] = None
    try:
        info["cpu"] = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1).strip()
    except (OSError, AttributeError):
        info["cpu"] = platform.processor()
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=1_000_000, help="children in the register (default 1M)")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--province", default="91", help="current province code (default 91, An Giang)")
    parser.add_argument("--repeat", type=int, default=60, help="samples per latency measurement")
    parser.add_argument("--parts", default="import,search,list",
                        help="what to measure, comma-separated (default import,search,list; docs are written only "
                             "when all three run)")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", interactive=False, verbosity=0)
    from treem.geo.models import Unit

    if not Unit.objects.exists():
        call_command("load_units", stdout=io.StringIO())
    from treem.registry.reference import load_reference

    load_reference()
    results = {"machine": machine(), "database": connection.vendor, "args": vars(args)}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            results["database"] = f"PostgreSQL {cursor.fetchone()[0]}"
    print(f"database: {results['database']}; machine: {results['machine']}")

    register = fill_register(args)
    results.update(register)
    results["load"] = {"start": round(os.getloadavg()[0], 2)}
    parts = set(args.parts.split(","))
    if "import" in parts:
        results["import"] = bench_import(args, register["commune"])
    if "search" in parts:
        results["search"] = bench_search(args, register)
    if "list" in parts:
        results["list"] = bench_list(args, register)
        results["walk"] = bench_api_walk(args, register)
    results["load"]["end"] = round(os.getloadavg()[0], 2)
    if {"import", "search", "list"} <= parts:
        report(results, args)
    del transaction


def fill_register(args) -> dict:
    from django.db import connection

    from treem.accounts.models import Assignment, Role, User
    from treem.registry import synthetic_load
    from treem.registry.models import Child

    communes = synthetic_load.current_communes(args.province)
    have = Child.objects.filter(province__code=args.province, province__system="current").count()
    if have < args.children:
        missing = args.children - have
        print(f"generating {missing:,} synthetic children in {len(communes)} communes of province {args.province} ...")
        started = time.perf_counter()
        synthetic_load.generate_into_database(communes, missing, seed=have + 7, chunk=50_000,
                                              progress=lambda done: print(f"  {done:,}", flush=True))
        print(f"  done in {time.perf_counter() - started:.0f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE registry_child")
                cursor.execute("VACUUM ANALYZE registry_childcarer")
    total = Child.objects.filter(province__code=args.province, province__system="current").count()
    # The commune with the most children (the hardest list page).
    from django.db.models import Count

    top = (Child.objects.filter(province__code=args.province, province__system="current").values("commune")
           .annotate(n=Count("id")).order_by("-n").first())
    commune = next(c for c in communes if c.pk == top["commune"])
    officer, _ = User.objects.get_or_create(username=f"bench.tinh.{args.province}")
    Assignment.objects.get_or_create(user=officer, role=Role.FOCAL_OFFICER, unit=communes[0].province)
    worker, _ = User.objects.get_or_create(username=f"bench.xa.{commune.code}")
    Assignment.objects.get_or_create(user=worker, role=Role.COMMUNE_WORKER, unit=commune)
    print(f"register: {total:,} children in province {args.province}; busiest commune {commune.name} "
          f"({top['n']:,} children)")
    return {"children": total, "commune": commune, "commune_children": top["n"], "officer": officer,
            "worker": worker}


def bench_import(args, commune) -> dict:
    from django.db import connection, transaction

    from treem.core.actors import SYSTEM
    from treem.core.text import fold
    from treem.registry import importing, synthetic_load
    from treem.registry.models import Child
    from treem.registry.quality.tabular import read_table

    path = ROOT / "var" / f"bench-import-{args.import_rows}.xlsx"
    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        print(f"writing the {args.import_rows:,}-row import file ...")
        synthetic_load.write_file([commune], args.import_rows, seed=424242, path=str(path))
    content = path.read_bytes()
    print(f"import file: {path} ({len(content) / 1e6:.1f} MB)")

    # Baseline: read the file, then COPY the same rows into registry_child (rolled back).
    started = time.perf_counter()
    table = read_table(content, path.name)
    read_s = time.perf_counter() - started
    rows = table.rows
    # The stored name columns as the import stores them (the search index does the same work for both).
    folded = [fold(row.values[1]) for row in rows]
    copy_s = 0.0
    if connection.vendor == "postgresql":
        cols = ("id", "full_name", "name_folded", "sex", "birth_date", "ethnicity", "personal_id", "village",
                "commune_id", "province_id", "birth_registered", "attends_school", "immunisation", "disability",
                "status", "source", "notes", "address", "school", "grade", "provisional", "version", "created_at",
                "updated_at", "quality_flags", "has_quality_issues", "status_reason")
        with transaction.atomic():
            started = time.perf_counter()
            with connection.cursor() as cursor, cursor.cursor.copy(
                    f"COPY registry_child ({', '.join(cols)}) FROM STDIN") as copy:
                for row, name_folded in zip(rows, folded, strict=True):
                    v = row.values
                    copy.write_row((uuid.uuid4(), v[1], name_folded, "M" if v[2] == "Nam" else "F", v[3], v[4], v[5],
                                    v[6], commune.pk, commune.province_id, "unknown", "unknown", "unknown", "unknown",
                                    "active", "bench", "", "", "", "", False, 1, "now", "now", "[]", False, ""))
            copy_s = time.perf_counter() - started
            transaction.set_rollback(True)
        with connection.cursor() as cursor:  # the import that follows starts from a table as clean as the COPY's
            cursor.execute("VACUUM ANALYZE registry_child")
    baseline = read_s + copy_s
    print(f"baseline: read {read_s:.2f} s + COPY {copy_s:.2f} s = {baseline:.2f} s")

    started = time.perf_counter()
    plan, summary = importing.import_file(content, path.name, commune=commune, actor=SYSTEM, commit=True)
    import_s = time.perf_counter() - started
    print(f"import end to end: {import_s:.2f} s ({summary})")
    # Phases, measured again without writing (the plan alone).
    started = time.perf_counter()
    importing.import_file(content, path.name, commune=commune, actor=SYSTEM, commit=False)
    reimport_check_s = time.perf_counter() - started
    # Remove what the import added so the next run starts from the same register.
    ids = [r.child_id for r in plan.rows if r.action == "create"]
    cleanup(ids)
    del Child
    ratio = import_s / baseline if baseline else float("nan")
    print(f"ratio: {ratio:.2f} (target <= 3)")
    return {"rows": len(rows), "read_s": read_s, "copy_s": copy_s, "baseline_s": baseline, "import_s": import_s,
            "ratio": ratio, "summary": summary, "check_again_s": reimport_check_s,
            "file_mb": len(content) / 1e6}


def cleanup(ids) -> None:
    from django.db import connection, transaction

    from treem.audit.models import AuditEvent
    from treem.registry.models import Carer, Child, ChildCarer

    with transaction.atomic():
        for start in range(0, len(ids), 10_000):
            chunk = ids[start:start + 10_000]
            carers = list(ChildCarer.objects.filter(child_id__in=chunk).values_list("carer_id", flat=True))
            ChildCarer.objects.filter(child_id__in=chunk).delete()
            Carer.objects.filter(pk__in=carers).delete()
            AuditEvent.objects.filter(object_type="registry.child", object_id__in=[str(i) for i in chunk]).delete()
            Child.objects.filter(pk__in=chunk).delete()
    if connection.vendor == "postgresql":  # dead rows would slow the measurements that follow
        with connection.cursor() as cursor:
            for table in ("registry_child", "registry_carer", "registry_childcarer", "audit_auditevent"):
                cursor.execute(f"VACUUM ANALYZE {table}")


SEARCHES = ["nguyen van duc", "Nguyễn Thị Mai", "thach so phol", "duc", "thi mai", "tran minh", "Lâm", "huynh ngoc",
            "le thi thu", "danh", "kim ngoc", "pham bao anh", "son thi", "nguyen gia huy", "vo thanh", "chau"]


def sampled_searches(args, count: int = 48) -> list[str]:
    """Queries made from names in the register (a repeatable sample), typed the ways people type them: the full name
    with or without diacritics, surname and given name, the given name alone, a name cut short."""
    from django.db import connection

    from treem.core.text import fold
    from treem.registry.models import Child

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT full_name FROM registry_child TABLESAMPLE BERNOULLI (0.05) REPEATABLE (42) "
                           "ORDER BY id LIMIT %s", [count])
            names = [row[0] for row in cursor.fetchall()]
    else:
        names = list(Child.objects.order_by("id").values_list("full_name", flat=True)[:count])
    forms = []
    for i, name in enumerate(names):
        words = name.split()
        folded = fold(name).split()
        forms.append([
            name,
            " ".join(folded),
            f"{folded[0]} {folded[-1]}",
            folded[-1],
            f"{folded[0]} {folded[1][:3]}" if len(folded) > 1 else folded[0][:3],
            " ".join(words[-2:]),
        ][i % 6])
    return forms


def bench_search(args, register) -> dict:
    from treem.registry.selectors import ChildFilters, child_list

    queries = SEARCHES + sampled_searches(args)
    out = {"queries": len(queries), "fixed": len(SEARCHES)}
    for label, user in (("province officer", register["officer"]), ("commune worker", register["worker"])):
        samples, fixed, hits = [], [], []
        list(child_list(user, ChildFilters(q="warm up")))
        for _ in range(max(1, args.repeat // len(SEARCHES))):
            for i, term in enumerate(queries):
                user.__dict__.pop(next((k for k in user.__dict__ if k.startswith("_treem_scope")), ""), None)
                started = time.perf_counter()
                found = list(child_list(user, ChildFilters(q=term))[:50])
                elapsed = time.perf_counter() - started
                samples.append(elapsed)
                if i < len(SEARCHES):
                    fixed.append(elapsed)
                hits.append(len(found))
        out[label] = {"p95": p95(samples), "median": statistics.median(samples), "max": max(samples),
                      "n": len(samples), "fixed_p95": p95(fixed), "mean_hits": statistics.mean(hits)}
        print(f"search as {label}: p95 {ms(out[label]['p95'])}, median {ms(out[label]['median'])}, "
              f"max {ms(out[label]['max'])}; the {len(SEARCHES)} fixed queries alone: p95 {ms(p95(fixed))} "
              f"({len(samples)} searches, {statistics.mean(hits):.0f} rows on the first page on average)")
    return out


LIST_PAGES = [
    ("commune worker", "list", "/children/"), ("commune worker", "page 20", "/children/?page=20"),
    ("commune worker", "filtered", "/children/?age_band=0-2&sex=F"),
    ("commune worker", "search", "/children/?q=thi+mai"),
    ("province officer", "list", "/children/"), ("province officer", "page 200", "/children/?page=200"),
    ("province officer", "search", "/children/?q=nguyen+van+duc"),
    # The API's list (JSON, 50 per page), for a client that reads the whole scope page by page.
    ("commune worker", "API list", "/api/v1/children/"),
    ("province officer", "API list", "/api/v1/children/"),
    ("province officer", "API page 2,000", "/api/v1/children/?page=2000"),
]


def bench_list(args, register) -> dict:
    from django.test import Client

    clients = {}
    for who, user in (("commune worker", register["worker"]), ("province officer", register["officer"])):
        clients[who] = Client(HTTP_HOST="localhost")
        clients[who].force_login(user)
    out = {}
    for who, label, url in LIST_PAGES:
        client = clients[who]
        client.get(url)  # warm up
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        key = f"{who}: {label}"
        out[key] = {"p95": p95(samples), "median": statistics.median(samples), "who": who, "label": label,
                    "url": url}
        print(f"list page as {key} ({url}): p95 {ms(out[key]['p95'])}, median {ms(out[key]['median'])}")
    return out


def bench_api_walk(args, register, pages: int = 200, size: int = 500) -> dict:
    """A client reading the province through the API with paging=cursor: `pages` pages of `size`, following `next`."""
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(register["officer"])
    url, samples, children = f"/api/v1/children/?paging=cursor&page_size={size}", [], 0
    for _ in range(pages):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        body = response.json()
        children += len(body["results"])
        if not body["next"]:
            break
        url = body["next"]
    out = {"pages": len(samples), "size": size, "children": children, "total": sum(samples), "p95": p95(samples),
           "median": statistics.median(samples), "last": samples[-1]}
    print(f"API walk with paging=cursor as province officer: {children:,} children in {out['pages']} pages of "
          f"{size} in {out['total']:.1f} s; per page p95 {ms(out['p95'])}, median {ms(out['median'])}, "
          f"last {ms(out['last'])}")
    return out


def report(r: dict, args) -> None:
    m = r["machine"]
    imp, search, page = r["import"], r["search"], r["list"]
    command = (f"DATABASE_URL={os.environ.get('DATABASE_URL', '(SQLite)')} .venv/bin/python bench/registry.py "
               f"--children {args.children}")
    try:
        commit = subprocess.run(["/usr/bin/git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=ROOT, check=False).stdout.strip()
    except OSError:
        commit = ""
    lines = [
        "## Child registry",
        "",
        f"Command: `{command}` (run on {time.strftime('%Y-%m-%d')}, commit {commit or 'n/a'}).",
        "",
        f"Machine: {m['cpus']} CPUs ({m.get('cpu', '')}), {m['memory_gb']} GB memory, {r['database']}, "
        f"Python {m['python']}. Register: {r['children']:,} synthetic children in province {args.province}; "
        f"the busiest commune has {r['commune_children']:,}.",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| import of {imp['rows']:,} rows (XLSX, {imp['file_mb']:.1f} MB), end to end | {imp['import_s']:.1f} s | |",
        f"| read the same file + raw COPY of the same rows | {imp['read_s']:.1f} s + {imp['copy_s']:.1f} s = "
        f"{imp['baseline_s']:.1f} s | |",
        f"| ratio import / (read + COPY) | **{imp['ratio']:.2f}** | ≤ 3 |",
        f"| check of the same file again (no writes) | {imp['check_again_s']:.1f} s | |",
    ]
    for who in ("province officer", "commune worker"):
        found = search[who]
        rounds = found["n"] // search["queries"]
        lines.append(f"| scoped name search p95, {who} ({search['queries']} queries × {rounds}) "
                     f"| **{ms(found['p95'])}** (median {ms(found['median'])}, max {ms(found['max'])}; "
                     f"the {search['fixed']} fixed queries: p95 {ms(found['fixed_p95'])}) | < 50 ms |")
    for values in page.values():
        target = "< 150 ms" if values["who"] == "commune worker" and "/api/" not in values["url"] else ""
        lines.append(f"| page p95, {values['who']}: {values['label']} (`{values['url']}`) "
                     f"| **{ms(values['p95'])}** (median {ms(values['median'])}) | {target} |")
    walk = r["walk"]
    lines.append(f"| API walk, province officer, `paging=cursor&page_size={walk['size']}`: {walk['children']:,} "
                 f"children in {walk['pages']} pages | {walk['total']:.1f} s; per page **p95 {ms(walk['p95'])}** "
                 f"(median {ms(walk['median'])}, last page {ms(walk['last'])}) | |")
    load = r.get("load", {})
    lines += [
        "",
        f"Load average (1 min) at the start and the end of the run: {load.get('start', '?')} and "
        f"{load.get('end', '?')} on {m['cpus']} CPUs.",
        "",
        "The import figure includes reading the file, checking every row (names, dates, personal IDs, ethnic groups, "
        "phones; on cpu_count - 1 processes for large files, so one here), matching each row against the commune's "
        "register and the personal IDs of the whole country, and writing children, carers (one per family: the same "
        "carer's name and phone), households for siblings and carer links (PostgreSQL COPY), one audit event for "
        "the import and one per updated child, in one transaction. The baseline COPY writes only the child rows, "
        "with the same stored values (folded names included, so the search index does the same work). Search: the "
        "first page (50 rows) of `child_list(user, q=...)`, scope and all, for "
        f"{len(SEARCHES)} fixed queries (full names, fragments, with and without diacritics) and "
        f"{search['queries'] - search['fixed']} made from a repeatable sample of the register's names (full name, "
        "surname and given name, given name alone, a word cut short): the keys of up to 1,000 matches come from "
        "the GIN index of word prefixes (`name_prefixes`), are sorted by name in Python, and the page's 50 rows "
        "are fetched by key. Pages: the Django test client, so template rendering (JSON rendering for the API) and "
        "middleware are included, the network is not. The ratio is measured within one run, so the machine's "
        "load weighs on both sides.",
        "",
    ]
    section = "\n".join(lines)
    print("\n" + section)
    if args.no_write:
        return
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text() if doc.exists() else "# Benchmarks\n\nFigures measured by the scripts in `bench/`.\n\n"
    pattern = re.compile(r"## Child registry\n.*?(?=\n## |\Z)", re.S)
    text = pattern.sub(section.rstrip() + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    doc.write_text(text)
    print(f"written to {doc}")


if __name__ == "__main__":
    main()
