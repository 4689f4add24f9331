"""Run every benchmark with its documented command (`make bench`). The full registry run needs PostgreSQL and time:
pass --quick for a smaller register (100,000 children) that still prints every ratio."""

import argparse
import os
import subprocess
import sys

PG = "postgres://postgres@127.0.0.1:5432/treem_bench"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="100,000 children instead of 1,000,000")
    args = parser.parse_args()
    python = sys.executable
    children = "100000" if args.quick else "1000000"
    runs = [
        ([python, "bench/parse_plan.py"], {}),
        ([python, "bench/plans.py"], {}),
        ([python, "bench/duplicates.py", "--write-docs"], {}),
        ([python, "bench/registry.py", "--children", children], {"DATABASE_URL": os.environ.get("DATABASE_URL", PG)}),
    ]
    failed = 0
    for command, env in runs:
        print("\n$", " ".join(command[1:]), flush=True)
        failed += subprocess.run(command, env={**os.environ, **env}, check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
