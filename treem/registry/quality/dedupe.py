"""Likely duplicate children, found with Splink (Fellegi-Sunter record linkage on DuckDB).

A pair is proposed when its match probability reaches a threshold. Each field comparison adds a
match weight (log2 of how much likelier the observed agreement is between two records of the same
child than between two different children); the explanation lists these weights in Vietnamese so a
commune officer sees why a pair was proposed ("ngày sinh trùng khớp +11,9; giới tính khác nhau -5,6").

Design choices, all because of how Vietnamese registers look:
- Names are folded (no diacritics, lower case): the same child is typed with and without them.
- Blocking never uses the surname alone (Nguyễn is ~38% of surnames): candidate pairs share the
  birth date, or the given name and birth year, or the personal ID, or the carer and birth year.
- The birth-date comparison knows that day and month get swapped.
- A missing middle name or ID is neutral, not a disagreement: second entries often lack them.
- Twins share birth date, carer, surname and village; they differ in given name and ID, so those
  disagreements carry a strong negative weight that training is not allowed to soften, and a pair
  with wholly different given names is proposed only when the IDs are identical (_could_be_twins).
- Training is reproducible: u from random sampling with a fixed seed, m by expectation
  maximisation on fixed blocking rules, DuckDB on one thread. Small files (< MIN_RECORDS_TO_TRAIN)
  use the documented default parameters below instead, since EM needs many pairs.
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.exceptions import SplinkException

from treem.core.formats import format_number

from .dates import parse_date
from .personal_id import check_personal_id, normalize_personal_id
from .sex import parse_sex
from .text import fold, split_name

SEED = 20250701
MIN_RECORDS_TO_TRAIN = 1000
# Random pairs for u: enough to see the rarest level (same birth date, ~1 in 5,800 pairs) ~100 times.
U_SAMPLE_PAIRS = 600_000
DEFAULT_THRESHOLD = 0.9
# Share of records expected to be second entries of a child already listed, before evidence.
ASSUMED_DUPLICATE_RATE = 0.02
ASSUMED_LINK_OVERLAP = 0.5

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pair:
    left_id: Any
    right_id: Any
    probability: float
    match_weight: float
    explanation: str
    contributions: tuple[tuple[str, float], ...] = ()  # (Vietnamese description, match weight)


# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class _Level:
    sql: str
    label: str  # Vietnamese, for explanations
    m: float  # default P(level | same child)
    u: float  # default P(level | different children)
    fix_m: bool = False  # keep m through training: domain knowledge EM must not override


@dataclass(frozen=True)
class _Field:
    name: str
    columns: tuple[str, ...]
    levels: tuple[_Level, ...]  # most to least similar, the last one "ELSE"; a null level goes first

    def null_sql(self) -> str:
        return " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in self.columns)


def _jw(column: str, threshold: float) -> str:
    return f"jaro_winkler_similarity({column}_l, {column}_r) >= {threshold}"


def _one_edit(column: str) -> str:
    # Jaro-Winkler misses a transposition in a three-letter syllable ("gia"/"gai" scores 0.56), so
    # one insertion, deletion, substitution or transposition gets a level of its own.
    return f"damerau_levenshtein({column}_l, {column}_r) <= 1"


def _name_field(
    column: str,
    what: str,
    defaults: Sequence[tuple[float, float]],
    else_mu: tuple[float, float],
    fix_else: bool = False,
) -> _Field:
    (m_exact, u_exact), (m_edit, u_edit), (m_close, u_close) = defaults
    return _Field(
        column,
        (column,),
        (
            _Level(f"{column}_l = {column}_r", f"{what} trùng khớp", m_exact, u_exact),
            _Level(_one_edit(column), f"{what} lệch một ký tự", m_edit, u_edit),
            _Level(_jw(column, 0.88), f"{what} gần giống", m_close, u_close),
            _Level("ELSE", f"{what} khác nhau", *else_mu, fix_m=fix_else),
        ),
    )


# Defaults: m from the noise communes' data shows (typos, dropped middle names, swapped dates),
# u from synthetic registers with realistic name distributions. Training replaces them (except fix_m).
_FIELDS = (
    # Twins: everything agrees but the given name, so a wholly different given name must count
    # heavily against (m fixed near zero: about -20); see also _could_be_twins.
    _name_field("given_name", "tên", [(0.86, 0.035), (0.1, 0.03), (0.04, 0.03)], (0.000001, 0.905), fix_else=True),
    _name_field("surname", "họ", [(0.93, 0.12), (0.05, 0.02), (0.01, 0.03)], (0.01, 0.83)),
    _Field(
        "middle_name",
        ("middle_name",),
        (
            # No "similar" level: middle names are a short closed list, and a rare level lets EM
            # drive its m to zero (Splink then refuses the whole training session).
            _Level("middle_name_l = middle_name_r", "tên đệm trùng khớp", 0.94, 0.12),
            _Level("ELSE", "tên đệm khác nhau", 0.06, 0.88),
        ),
    ),
    _Field(
        "birth_date",
        ("birth_date",),
        (
            _Level("birth_date_l = birth_date_r", "ngày sinh trùng khớp", 0.85, 0.0002),
            _Level(
                "birth_day_l = birth_month_r AND birth_month_l = birth_day_r AND birth_year_l = birth_year_r",
                "ngày sinh đảo ngày và tháng",
                0.06,
                0.0002,
            ),
            _Level("levenshtein(birth_date_l, birth_date_r) <= 1", "ngày sinh lệch một chữ số", 0.05, 0.01),
            _Level("birth_year_l = birth_year_r", "cùng năm sinh", 0.02, 0.06),
            _Level("ELSE", "ngày sinh khác nhau", 0.02, 0.93),
        ),
    ),
    _Field(
        "sex",
        ("sex",),
        (
            # A wrongly entered sex is rare (fixed m 1%); twins of both sexes differ here.
            _Level("sex_l = sex_r", "giới tính trùng khớp", 0.99, 0.5),
            _Level("ELSE", "giới tính khác nhau", 0.01, 0.5, fix_m=True),
        ),
    ),
    # Only IDs consistent with the record's sex and birth year are compared (_usable_personal_id): a
    # carer's number typed in the child's column is not evidence. Two such IDs that differ by more
    # than a typo belong to two children, twins included, so the disagreement is decisive (fixed, -30).
    _Field(
        "personal_id",
        ("personal_id",),
        (
            _Level("personal_id_l = personal_id_r", "số định danh trùng khớp", 0.8, 0.00001),
            _Level(_one_edit("personal_id"), "số định danh lệch một chữ số", 0.1998, 0.0005),
            _Level("ELSE", "số định danh khác nhau", 1e-9, 0.99949, fix_m=True),
        ),
    ),
    # Carer names share the family surname and often "Văn"/"Thị" (and Mông "A"), so similarity of the
    # whole name says little; the carer's own given name (last word) must agree too.
    _Field(
        "carer_name",
        ("carer_name",),
        (
            _Level("carer_name_l = carer_name_r", "tên người chăm sóc trùng khớp", 0.85, 0.002),
            # One level for "nearly the same carer" (same given name, or a typo in it): split in two,
            # each was too rare among matches and EM drove its m to zero.
            _Level(
                f"carer_given_l = carer_given_r OR ({_jw('carer_name', 0.9)} AND {_one_edit('carer_given')})",
                "tên người chăm sóc gần giống",
                0.11,
                0.007,
            ),
            _Level("ELSE", "người chăm sóc khác nhau", 0.04, 0.991),
        ),
    ),
    _Field(
        "village",
        ("village",),
        (
            _Level("village_l = village_r", "cùng thôn/bản/ấp", 0.85, 0.1),
            _Level("ELSE", "khác thôn/bản/ấp", 0.15, 0.9),
        ),
    ),
    _Field(
        "commune_code",
        ("commune_code",),
        (
            _Level("commune_code_l = commune_code_r", "cùng xã", 0.95, 0.3),
            _Level("ELSE", "khác xã", 0.05, 0.7),
        ),
    ),
)

_BLOCKING_RULES = (
    ("birth_date",),
    ("given_name", "birth_year"),
    ("personal_id",),
    ("carer_name", "birth_year"),
)
# EM sessions: each trains every comparison not used in its own blocking rule.
_TRAINING_RULES = (("birth_date",), ("given_name", "surname", "birth_year"))


def _comparison(f: _Field) -> dict:
    levels: list[dict] = [{"sql_condition": f.null_sql(), "label_for_charts": "thiếu dữ liệu", "is_null_level": True}]
    for level in f.levels:
        entry = {
            "sql_condition": level.sql,
            "label_for_charts": level.label,
            "m_probability": level.m,
            "u_probability": level.u,
        }
        if level.fix_m:
            entry["fix_m_probability"] = True
        levels.append(entry)
    return {"output_column_name": f.name, "comparison_levels": levels}


def _settings(link_type: str, prior: float) -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,
        comparisons=[_comparison(f) for f in _FIELDS],
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in _BLOCKING_RULES],
        probability_two_random_records_match=prior,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        max_iterations=25,
        em_convergence=0.0001,
    )


# ---------------------------------------------------------------- preparing records

_SCHEMA = pa.schema(
    [
        ("unique_id", pa.int64()),
        ("surname", pa.string()),
        ("middle_name", pa.string()),
        ("given_name", pa.string()),
        ("birth_date", pa.string()),
        ("birth_year", pa.int32()),
        ("birth_month", pa.int32()),
        ("birth_day", pa.int32()),
        ("sex", pa.string()),
        ("personal_id", pa.string()),
        ("carer_name", pa.string()),
        ("carer_given", pa.string()),
        ("village", pa.string()),
        ("commune_code", pa.string()),
    ]
)


def _or_none(text: str) -> str | None:
    return text or None


def _names(record: dict) -> tuple[str, str, str]:
    if record.get("full_name"):
        return split_name(fold(record["full_name"]))
    return fold(record.get("surname")), fold(record.get("middle_name")), fold(record.get("given_name"))


def _birth_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    try:
        return parse_date(value)
    except ValueError:
        return None


def _usable_personal_id(value: Any, sex: str | None, born: date | None) -> str | None:
    """The ID when it is well formed and agrees with sex and birth year, else None (neutral)."""
    findings = check_personal_id(value, sex, born)
    if any(f.code != "id_stored_as_number" for f in findings):
        return None
    return normalize_personal_id(value)[0]


def _prepare(record: dict, unique_id: int) -> dict:
    surname, middle, given = _names(record)
    born = _birth_date(record.get("birth_date"))
    sex = record.get("sex")
    sex = sex if sex in ("M", "F") else parse_sex(sex)
    personal_id = _usable_personal_id(record.get("personal_id"), sex, born)
    carer = fold(record.get("carer_name"))
    return {
        "unique_id": unique_id,
        "surname": _or_none(surname),
        "middle_name": _or_none(middle),
        "given_name": _or_none(given),
        "birth_date": born.isoformat() if born else None,
        "birth_year": born.year if born else None,
        "birth_month": born.month if born else None,
        "birth_day": born.day if born else None,
        "sex": sex,
        "personal_id": personal_id,
        "carer_name": _or_none(carer),
        "carer_given": _or_none(split_name(carer)[2]),
        "village": _or_none(fold(record.get("village"))),
        "commune_code": _or_none(fold(record.get("commune_code"))),
    }


def _arrow(records: Sequence[dict]) -> pa.Table:
    rows = [_prepare(r, i) for i, r in enumerate(records)]
    return pa.Table.from_pylist(rows, schema=_SCHEMA)


def _record_id(record: dict, index: int) -> Any:
    return record.get("id", index)


# ---------------------------------------------------------------- running Splink


def _quiet_splink() -> None:
    splink_logger = logging.getLogger("splink")
    # Splink warns about levels too rare to train; the defaults stand in for them, so it is noise here.
    if splink_logger.level == logging.NOTSET:
        splink_logger.setLevel(logging.ERROR)


def _prior(n_left: int, n_right: int | None) -> float:
    """P(two random records are the same child) before looking at them.

    Within one list, ASSUMED_DUPLICATE_RATE of the records repeat another; across two lists,
    ASSUMED_LINK_OVERLAP of the shorter list is expected in the other.
    """
    if n_right is None:
        pairs = max(n_left * (n_left - 1) / 2, 1)
        expected = max(ASSUMED_DUPLICATE_RATE * n_left, 1)
    else:
        pairs = max(n_left * n_right, 1)
        expected = max(ASSUMED_LINK_OVERLAP * min(n_left, n_right), 1)
    return min(expected / pairs, 0.5)


def _train(linker: Linker, n_records: int) -> None:
    training = linker.training
    training.estimate_u_using_random_sampling(max_pairs=min(U_SAMPLE_PAIRS, n_records * n_records), seed=SEED)
    for rule in _TRAINING_RULES:
        # Splink removes the comparisons a training rule uses from the live settings before EM and
        # puts them back only on success; a failed session must not leave the model without them.
        saved = copy.deepcopy(linker._settings_obj.core_model_settings)
        try:
            training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
        except (ValueError, SplinkException) as exc:  # e.g. a level's m driven to 0.0 by EM
            linker._settings_obj.core_model_settings = saved
            logger.warning("EM blocked on %s skipped, default m values kept: %s", rule, exc)


def _check_all_comparisons_present(linker: Linker) -> None:
    present = [c.output_column_name for c in linker._settings_obj.core_model_settings.comparisons]
    if present != [f.name for f in _FIELDS]:
        raise RuntimeError(f"Splink training dropped comparisons: {present}")


def _run(tables: list[pa.Table], link_type: str, prior: float, train: bool, threshold: float) -> list[dict]:
    _quiet_splink()
    connection = duckdb.connect(":memory:")
    # DuckDB's seeded sampling repeats only on one thread (and sums then add up in one order).
    connection.execute("SET threads TO 1")
    try:
        db_api = DuckDBAPI(connection)
        inputs = [db_api.register(t) for t in tables]
        linker = Linker(inputs if len(inputs) > 1 else inputs[0], _settings(link_type, prior), log_level=None)
        if train:
            _train(linker, sum(t.num_rows for t in tables))
            _check_all_comparisons_present(linker)
        predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        return predictions.as_record_list()
    finally:
        connection.close()


# ---------------------------------------------------------------- explanations


def _level_labels() -> dict[str, dict[int, str]]:
    """{comparison: {gamma value: label}}; Splink numbers levels from len-1 (best) down to 0 (else)."""
    labels = {}
    for f in _FIELDS:
        count = len(f.levels)
        labels[f.name] = {count - 1 - i: level.label for i, level in enumerate(f.levels)}
    return labels


_LABELS = _level_labels()


def _format_weight(weight: float) -> str:
    return ("+" if weight >= 0 else "") + format_number(weight, 1)


def _contributions(row: dict) -> list[tuple[str, float]]:
    parts = []
    for f in _FIELDS:
        gamma = row.get(f"gamma_{f.name}")
        weight = row.get(f"mw_{f.name}")
        if gamma is None or gamma < 0 or weight is None:
            continue  # a missing value on either side is neutral: no line in the explanation
        parts.append((_LABELS[f.name].get(gamma, f.name), float(weight)))
    parts.sort(key=lambda p: -abs(p[1]))
    return parts


def _explain(parts: list[tuple[str, float]], prior: float) -> str:
    prior_weight = math.log2(prior / (1 - prior))
    lines = [f"{label} {_format_weight(weight)}" for label, weight in parts]
    lines.append(f"mức nền (hai bản ghi bất kỳ) {_format_weight(prior_weight)}")
    return "; ".join(lines)


def _to_pair(row: dict, ids: Sequence[Any], prior: float, swap: bool) -> Pair:
    parts = _contributions(row)
    left, right = row["unique_id_l"], row["unique_id_r"]
    if swap:
        left, right = right, left
    return Pair(
        left_id=ids[left],
        right_id=ids[right],
        probability=float(row["match_probability"]),
        match_weight=float(row["match_weight"]),
        explanation=_explain(parts, prior),
        contributions=tuple(parts),
    )


def _gamma_of_best_level(field_name: str) -> int:
    return next(len(f.levels) - 1 for f in _FIELDS if f.name == field_name)


_GIVEN_NAMES_DIFFER = 0  # the "else" level is always gamma 0
_SAME_PERSONAL_ID = _gamma_of_best_level("personal_id")


def _could_be_twins(row: dict) -> bool:
    """Wholly different given names and no identical ID: twins look exactly like this.

    The weights alone cannot separate them: twins agree on birth date, carer, surname, village and
    often have consecutive ID numbers (one digit apart, like a typo), facts the model treats as
    independent evidence. Such a pair is never proposed; the same child under a nickname is lost
    too, which is the price.
    """
    return row.get("gamma_given_name") == _GIVEN_NAMES_DIFFER and row.get("gamma_personal_id") != _SAME_PERSONAL_ID


def _sorted(pairs: list[Pair]) -> list[Pair]:
    return sorted(pairs, key=lambda p: (-p.probability, str(p.left_id), str(p.right_id)))


# ---------------------------------------------------------------- public API


def find_duplicates(
    records: Sequence[dict], threshold: float = DEFAULT_THRESHOLD, train: bool | None = None
) -> list[Pair]:
    """Likely duplicate pairs within one list of children, most probable first.

    A record is a dict with any of: id (defaults to its index), full_name (or surname, middle_name,
    given_name), birth_date (date or text), sex, personal_id, carer_name, village, commune_code.
    train: None trains only when there are at least MIN_RECORDS_TO_TRAIN records.
    """
    records = list(records)
    if len(records) < 2:
        return []
    train = len(records) >= MIN_RECORDS_TO_TRAIN if train is None else train
    prior = _prior(len(records), None)
    rows = _run([_arrow(records)], "dedupe_only", prior, train, threshold)
    ids = [_record_id(r, i) for i, r in enumerate(records)]
    # The earlier record in the input goes on the left.
    pairs = [
        _to_pair(row, ids, prior, swap=row["unique_id_l"] > row["unique_id_r"])
        for row in rows
        if not _could_be_twins(row)
    ]
    return _sorted(pairs)


def link(
    records_a: Sequence[dict],
    records_b: Sequence[dict],
    threshold: float = DEFAULT_THRESHOLD,
    train: bool | None = None,
) -> list[Pair]:
    """Likely same children across two lists (e.g. an import file against the register).

    left_id is always from records_a, right_id from records_b.
    """
    records_a, records_b = list(records_a), list(records_b)
    if not records_a or not records_b:
        return []
    total = len(records_a) + len(records_b)
    train = total >= MIN_RECORDS_TO_TRAIN if train is None else train
    prior = _prior(len(records_a), len(records_b))
    table_a = _arrow(records_a)
    # Distinct unique ids across both inputs keep Splink's pair keys unambiguous.
    offset = len(records_a)
    table_b = pa.Table.from_pylist([_prepare(r, offset + i) for i, r in enumerate(records_b)], schema=_SCHEMA)
    rows = _run([table_a, table_b], "link_only", prior, train, threshold)
    ids = [_record_id(r, i) for i, r in enumerate(records_a)] + [_record_id(r, i) for i, r in enumerate(records_b)]
    # Splink may put either input on the left; records_a always goes left here.
    pairs = [_to_pair(row, ids, prior, swap=row["unique_id_l"] >= offset) for row in rows if not _could_be_twins(row)]
    return _sorted(pairs)
