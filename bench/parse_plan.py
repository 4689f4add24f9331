"""Benchmark: parse a ~30-page plan built from the two seeds, against a floor that only reads the text.

    .venv/bin/python bench/parse_plan.py [--pages 30] [--runs 7]

The plan is laid out like seed 002 (text copied out of a PDF: hard-wrapped lines with a blank line after each,
which is the costliest layout to read): seed 002's header and sections, seed 001's objectives repeated with
varied values, and seed 002's seventeen agency headings repeated with varied names, until the text is about
3,000 characters per A4 page. The reference is what any reader of the text must do: NFC-normalise it, split it
into lines and run one regular expression over it. Prints both medians and their ratio; asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import textwrap
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from treem.plans.parser import parse_plan_text  # noqa: E402
from treem.plans.parser.normalize import paragraphs_from_text  # noqa: E402

SEEDS = ROOT / "treem" / "plans" / "seeds"
CHARACTERS_PER_PAGE = 3000
PROVINCES = ["Kiên Giang", "Sóc Trăng", "Lai Châu", "An Giang", "Cần Thơ", "Hậu Giang", "Cà Mau", "Bạc Liêu"]


def _paragraphs(name: str) -> list[str]:
    text = (SEEDS / name).read_text(encoding="utf-8")
    return [paragraph.text for paragraph in paragraphs_from_text(text)[1]]


def _between(paragraphs: list[str], start: str, end: str) -> list[str]:
    first = next(i for i, p in enumerate(paragraphs) if p.startswith(start))
    last = next(i for i, p in enumerate(paragraphs) if i > first and p.startswith(end))
    return paragraphs[first:last]


def _renumber(paragraph: str, offset: int) -> str:
    return re.sub(r"^(\d+)\.", lambda m: f"{int(m.group(1)) + offset}.", paragraph)


def _vary_percentages(paragraph: str, shift: int) -> str:
    """ "97,2%" -> "97,5%" for shift 3: no two rounds of objectives are the same text."""
    return re.sub(r"(\d+),(\d+)%", lambda m: f"{m.group(1)},{(int(m.group(2)) + shift) % 10}%", paragraph)


def build_plan(pages: int) -> str:
    plan_002 = _paragraphs("002_dd8384e2b7666dd2.txt")
    plan_001 = _paragraphs("001_626193b0675de070.txt")
    head = _between(plan_002, "KẾ HOẠCH", "IV. TỔ CHỨC THỰC HIỆN")
    agencies = _between(plan_002, "1. Sở Lao động", "V. CHẾ ĐỘ")
    tail = plan_002[plan_002.index(next(p for p in plan_002 if p.startswith("V. CHẾ ĐỘ"))) :]
    objectives = _between(plan_001, "2.1. Mục tiêu 1", "IV- NHIỆM VỤ")
    body: list[str] = [*head, "III. MỤC TIÊU CỤ THỂ ĐẾN NĂM 2030"]
    round_number = 0
    organisation: list[str] = ["IV. TỔ CHỨC THỰC HIỆN"]
    while sum(map(len, body + organisation + tail)) < pages * CHARACTERS_PER_PAGE:
        province = PROVINCES[round_number % len(PROVINCES)]
        body += [_vary_percentages(p, round_number) for p in objectives]
        organisation += [_renumber(p.replace("Kiên Giang", province), 17 * round_number) for p in agencies]
        round_number += 1
    lines: list[str] = []
    for paragraph in body + organisation + tail:
        lines += textwrap.wrap(paragraph, 80, break_on_hyphens=False, break_long_words=False)
    return "\n\n".join(lines) + "\n"


def _median_seconds(function, text: str, runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function(text)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


_ANY_VALUE = re.compile(r"\d+(?:[.,]\d+)?\s*%")


def reference(text: str) -> int:
    """The floor: normalise, split into lines, one regular-expression pass."""
    lines = unicodedata.normalize("NFC", text).split("\n")
    return sum(len(_ANY_VALUE.findall(line)) for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    text = build_plan(arguments.pages)
    plan = parse_plan_text(text)  # warm-up, and a sanity check of what is being timed
    parse_seconds = _median_seconds(parse_plan_text, text, arguments.runs)
    reference_seconds = _median_seconds(reference, text, arguments.runs)
    pages = len(text) / CHARACTERS_PER_PAGE
    print(f"plan: {len(text):,} characters, {text.count(chr(10)):,} lines, ~{pages:.0f} pages")
    print(f"found: {len(plan.targets)} targets, {len(plan.tasks)} tasks, {len(plan.deadlines)} deadlines")
    print(f"parse_plan_text     median of {arguments.runs}: {parse_seconds * 1000:8.1f} ms")
    print(f"reference (NFC+split+regex) median: {reference_seconds * 1000:8.1f} ms")
    print(f"ratio: {parse_seconds / reference_seconds:.0f}x")


if __name__ == "__main__":
    main()
