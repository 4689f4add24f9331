"""Realistic synthetic children for tests, demonstrations and benchmarks. No real person is in here.

Names follow Vietnamese distributions (Nguyễn ~38% of Kinh surnames) and the naming customs of the
larger minority groups (Mông "Giàng A Páo", Dao "Lý Thị Mẩy", Khmer "Thạch Sô Phol"); ethnic mixes
follow the province; personal IDs are consistent with birth province, sex and year, with ~3% missing
and ~1% malformed; families produce siblings and twins, who look alike but are different children.
Planted duplicates carry the noise real registers have: dropped diacritics, dropped middle name,
day/month swapped, a typo in a name or in the day of birth, a changed village, a missing or mistyped ID.

Everything is drawn from one random.Random(seed), so the same arguments give the same records.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

from treem.core.ages import CHILD_AGE_LIMIT

from .personal_id import century_sex_digit, province_names
from .sex import FEMALE, MALE
from .text import fold, normalize_name


class _Weighted:
    """Fast weighted choice: one random() and a bisect."""

    def __init__(self, items: Sequence[tuple[object, float]]):
        self.values = [v for v, _ in items]
        self.cumulative = list(accumulate(w for _, w in items))

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def _zipf(values: Sequence[str], exponent: float = 0.6) -> _Weighted:
    return _Weighted([(v, 1 / (rank + 1) ** exponent) for rank, v in enumerate(values)])


def _split(text: str) -> list[str]:
    return [w.strip() for w in text.split(",")]


# Kinh surnames, percent of the population (approximate published shares).
_KINH_SURNAMES = _Weighted(
    [
        ("Nguyễn", 38),
        ("Trần", 11),
        ("Lê", 9.5),
        ("Phạm", 7),
        ("Hoàng", 3),
        ("Huỳnh", 2),
        ("Phan", 4.5),
        ("Vũ", 2),
        ("Võ", 2),
        ("Đặng", 2.1),
        ("Bùi", 2),
        ("Đỗ", 1.4),
        ("Hồ", 1.3),
        ("Ngô", 1.3),
        ("Dương", 1),
        ("Lý", 0.5),
        ("Đinh", 0.8),
        ("Đào", 0.5),
        ("Trương", 0.7),
        ("Lâm", 0.4),
        ("Mai", 0.5),
        ("Hà", 0.5),
        ("Đoàn", 0.5),
        ("Trịnh", 0.4),
        ("Lương", 0.4),
        ("Cao", 0.4),
        ("Tô", 0.3),
        ("Lưu", 0.3),
        ("Tạ", 0.2),
        ("Chu", 0.2),
        ("Thái", 0.2),
        ("Châu", 0.2),
        ("Triệu", 0.2),
        ("Quách", 0.1),
        ("Kiều", 0.1),
        ("Lục", 0.1),
        ("Tăng", 0.1),
        ("Hứa", 0.1),
        ("La", 0.1),
        ("Văn", 0.1),
    ]
)
_KINH_MIDDLE = {
    MALE: _Weighted(
        [
            ("Văn", 35),
            ("Minh", 12),
            ("Đức", 6),
            ("Gia", 7),
            ("Quốc", 5),
            ("Hoàng", 5),
            ("Thành", 4),
            ("Anh", 3),
            ("Bảo", 7),
            ("Tuấn", 2),
            ("Hữu", 4),
            ("Công", 4),
            ("Đình", 3),
            ("Xuân", 2),
            ("Nhật", 3),
            ("Trung", 2),
            ("Thanh", 3),
            ("Ngọc", 2),
            ("Duy", 2),
            ("Đăng", 2),
        ]
    ),
    FEMALE: _Weighted(
        [
            ("Thị", 35),
            ("Ngọc", 10),
            ("Thu", 4),
            ("Bảo", 6),
            ("Minh", 5),
            ("Gia", 4),
            ("Khánh", 4),
            ("Thanh", 4),
            ("Phương", 4),
            ("Hải", 2),
            ("Kim", 4),
            ("Mai", 3),
            ("Thùy", 4),
            ("Hoài", 2),
            ("Như", 3),
            ("Tuệ", 2),
            ("An", 2),
            ("Diệu", 2),
            ("Quỳnh", 2),
            ("Hà", 2),
        ]
    ),
}
_KINH_GIVEN = {
    MALE: _zipf(
        _split(
            "Minh, Anh, Bảo, Huy, Khang, Khoa, Nam, Phúc, Quân, Đức, Long, Hưng, Lâm, Tuấn, Dũng, Hùng, Hiếu, Kiên, "
            "Trí, Thịnh, Đạt, Phong, Vinh, Sơn, Tùng, Khôi, Nguyên, An, Hải, Thắng, Tài, Toàn, Hoàng, Việt, Duy, Lộc, "
            "Quang, Tín, Thiện, Nhân, Hào, Kiệt, Luân, Nghĩa, Phát, Tiến, Trung, Vũ, Thái, Cường"
        )
    ),
    FEMALE: _zipf(
        _split(
            "Anh, Linh, Ngọc, Trang, Hà, Hương, Lan, Mai, Vy, Nhi, Thảo, Chi, My, An, Hân, Ngân, Yến, Hoa, Hằng, Thư, "
            "Trâm, Giang, Uyên, Quỳnh, Phương, Diệp, Châu, Nhung, Như, Tâm, Hạnh, Huyền, Loan, Nga, Thủy, Vân, Khánh, "
            "Diệu, Tiên, Oanh, Duyên, Hiền, Ly, Nhàn, Thơ, Trinh, Xuân, Yên, Đào, Ánh"
        )
    ),
}


@dataclass(frozen=True)
class _Naming:
    surnames: _Weighted
    middle: dict[str, _Weighted]
    given: dict[str, _Weighted]


def _naming(surnames: str, male_middle: str, female_middle: str, male_given: str, female_given: str) -> _Naming:
    return _Naming(
        _zipf(_split(surnames), 0.8),
        {MALE: _zipf(_split(male_middle), 1.2), FEMALE: _zipf(_split(female_middle), 1.2)},
        {MALE: _zipf(_split(male_given)), FEMALE: _zipf(_split(female_given))},
    )


_KINH = _Naming(_KINH_SURNAMES, _KINH_MIDDLE, _KINH_GIVEN)
_NAMING = {
    "Kinh": _KINH,
    "Thái": _naming(
        "Lò, Lường, Cầm, Tòng, Quàng, Điêu, Vì, Lù, Hoàng, Lê",
        "Văn",
        "Thị",
        "Sơn, Thanh, Bun, Xuân, Phong, Hùng, Kiên, Thắng, Tuấn, Đức, Khiêm, Ngoan",
        "Ơn, Xuân, Thanh, Hương, Lả, Ngân, Phương, Mai, Thoa, Ly, Inh, Xoan",
    ),
    "Mông": _naming(
        "Giàng, Thào, Vàng, Sùng, Lý, Hờ, Mùa, Lầu, Hạng, Vừ, Tráng, Cứ, Hầu",
        "A",
        "Thị, Mỷ",
        "Páo, Sính, Chứ, Lử, Dế, Pó, Tủa, Chư, Say, Và, Nhè, Dình, Cở, Chá, Sềnh",
        "Mỷ, Dợ, Sua, Pàng, Mai, Dua, Máy, Chú, Say, Già, Mỉ, Dí, Chò, Sinh, Pà",
    ),
    "Dao": _naming(
        "Lý, Triệu, Tẩn, Phàn, Đặng, Chảo, Bàn",
        "Văn, A, Láo",
        "Thị, Mẩy",
        "Chài, Phin, Quẩy, Kiềm, Tả, Sử, Vần, Sơn, Chòi, Phú, Kiên, Lở",
        "Mẩy, Xoang, Dín, Chiêu, Phây, Nái, Lở, Mùi, Sần, Xuân, Dung, Tả",
    ),
    "Hà Nhì": _naming(
        "Lò, Chu, Pờ, Phu, Lý, Hù, Ly",
        "A",
        "Mì, Thị",
        "Phạ, Xá, Chừ, Lùng, Ba, Pho, Hờ, Giá, Chí",
        "Xá, Chừ, Pà, Mé, Dé, Chà, Lù, Pó",
    ),
    "Khơ-me": _naming(
        "Thạch, Sơn, Kim, Danh, Lâm, Lý, Châu, Trà, Dương",
        "Sô, Văn, Chanh, Sa, Ngọc",
        "Thị, Sa, Kim",
        "Phol, Sóc, Pha, Rinh, Tha, Sang, Đa, Ni, Rết, Hiền, Sà Rươl, Chanh",
        "Ry, Mỹ, Thy, Phanh, Cầm, Lan, Nha, Xuân, Chanh, Sa Ra, Sóc Khêl, Pha Ly",
    ),
    "Hoa": _Naming(
        _zipf(_split("Lâm, Trương, Quách, Lý, Hứa, Mã, Diệp, Tăng, Châu, Lưu, Tô, Huỳnh, Trần"), 0.8),
        _KINH_MIDDLE,
        _KINH_GIVEN,
    ),
    "Chăm": _Naming(_zipf(_split("Sa, Ma, Ha, Mu, Ka, Ly, Mohamad"), 0.8), _KINH_MIDDLE, _KINH_GIVEN),
    "Tày": _Naming(
        _zipf(_split("Hoàng, Nông, Lục, Ma, Hà, Lương, Triệu, Bế, Đàm, Nguyễn"), 0.8), _KINH_MIDDLE, _KINH_GIVEN
    ),
    "Nùng": _Naming(_zipf(_split("Hoàng, Nông, Lương, Lăng, Vi, Chu, Triệu"), 0.8), _KINH_MIDDLE, _KINH_GIVEN),
    "Mường": _Naming(_zipf(_split("Bùi, Đinh, Quách, Hà, Xa"), 0.8), _KINH_MIDDLE, _KINH_GIVEN),
    "Giáy": _Naming(_zipf(_split("Lò, Sầm, Hoàng, Vương, Lù"), 0.8), _KINH_MIDDLE, _KINH_GIVEN),
    "Lự": _Naming(_zipf(_split("Lò, Tao, Vàng, Lường"), 0.8), _KINH_MIDDLE, _KINH_GIVEN),
}

# Ethnic mix of the child population by legacy (pre-2025) province code, in percent (approximate,
# from the 2019 census); other provinces get the national mix.
_ETHNIC_MIX = {
    12: [
        ("Thái", 32),
        ("Mông", 25),
        ("Dao", 13),
        ("Kinh", 14),
        ("Hà Nhì", 4),
        ("Giáy", 5),
        ("Lự", 1.5),
        ("Khơ-mú", 1),
        ("La Hủ", 2),
        ("Cống", 0.5),
        ("Si La", 0.3),
        ("Mảng", 1),
    ],
    89: [("Kinh", 94.5), ("Khơ-me", 4.5), ("Chăm", 0.6), ("Hoa", 0.4)],
    91: [("Kinh", 85), ("Khơ-me", 12.5), ("Hoa", 2.5)],
    92: [("Kinh", 96.5), ("Khơ-me", 2), ("Hoa", 1.5)],
    93: [("Kinh", 97), ("Khơ-me", 2), ("Hoa", 1)],
    94: [("Kinh", 64), ("Khơ-me", 30), ("Hoa", 6)],
}
_NATIONAL_MIX = [
    ("Kinh", 85),
    ("Tày", 2),
    ("Thái", 2),
    ("Mường", 1.5),
    ("Khơ-me", 1.5),
    ("Mông", 1.5),
    ("Nùng", 1),
    ("Hoa", 1),
    ("Dao", 1),
]

# Law on Children art. 10.1 groups, weighted by how often communes record them.
SPECIAL_CIRCUMSTANCE_GROUPS = ("a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o")
_SPECIAL = _Weighted(
    [
        ("a", 10),
        ("b", 2),
        ("c", 3),
        ("d", 35),
        ("đ", 3),
        ("e", 2),
        ("g", 1),
        ("h", 8),
        ("i", 4),
        ("k", 2),
        ("l", 3),
        ("m", 0.5),
        ("n", 20),
        ("o", 1),
    ]
)

_MOBILE_PREFIXES = _split(
    "032, 033, 034, 035, 036, 037, 038, 039, 056, 058, 059, 070, 076, 077, 078, 079, 081, 082, 083, 084, 085, "
    "086, 088, 089, 090, 091, 093, 094, 096, 097, 098"
)
_SOUTH = {70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96}
_NORTH_MOUNTAIN = {2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 20}
_VILLAGE_WORDS = {
    "Ấp": _split(
        "Hòa Bình, Phú Lợi, Tân Hiệp, Mỹ Thuận, An Thạnh, Long Hòa, Vĩnh Phước, Thạnh Lợi, Bình An, "
        "Đông Thành, Tây Sơn, Kinh Mới, Phước Thọ, Tân Lập, Hiệp Hòa, Trà Canh, Sóc Xoài, Prey Chóp"
    ),
    "Bản": _split(
        "Nà Khuồng, Nậm Cung, Pa Khóa, Hua Bum, Nậm Ô, Pắc Ta, Hô Ta, Sì Thâu Chải, Phiêng Pẻn, Nà Hừ, "
        "Tà Hừ, Lướt, Sin Chải, Tả Phìn, Mù Cả, Nà Bó, Huổi Luông, Phìn Hồ"
    ),
    "Thôn": _split(
        "Đông, Tây, Trung, Thượng, Hạ, An Lạc, Phú Xuân, Yên Thái, Đình, Cầu, Bắc, Nam, Tân Lập, "
        "Hòa Bình, Làng Mới, Xuân Hòa, Đồng Tâm, Quyết Tiến"
    ),
}

DEFAULT_AS_OF = date(2025, 6, 1)
_CHILD_DAYS = CHILD_AGE_LIMIT * 365  # children under 16

P_MISSING_ID = 0.03
P_MALFORMED_ID = 0.01
P_SPECIAL = 0.01
P_SIBLING = 0.2
P_TWIN = 0.006
P_NO_PHONE = 0.1


@dataclass
class _Family:
    ethnicity: str
    surname: str
    commune_code: str
    village: str
    carer_name: str
    carer_relation: str
    carer_phone: str | None
    birth_province: int


@dataclass
class _Generator:
    rng: random.Random
    commune_codes: Sequence[str]
    province_code: int
    as_of: date
    villages: dict[str, list[str]] = field(default_factory=dict)
    id_counters: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ethnic_mix = _Weighted(_ETHNIC_MIX.get(self.province_code, _NATIONAL_MIX))
        self.other_provinces = sorted(int(code) for code in province_names() if int(code) != self.province_code)
        kind = "Ấp" if self.province_code in _SOUTH else "Bản" if self.province_code in _NORTH_MOUNTAIN else "Thôn"
        for commune in self.commune_codes:
            self.villages[commune] = self._villages_for(kind)

    def _villages_for(self, kind: str) -> list[str]:
        count = self.rng.randint(6, 14)
        named = self.rng.sample(_VILLAGE_WORDS[kind], k=min(count, len(_VILLAGE_WORDS[kind])))
        # Many villages are just numbered ("Thôn 3", "Ấp 5").
        return [f"{kind} {name}" if self.rng.random() < 0.6 else f"{kind} {i + 1}" for i, name in enumerate(named)]

    # -- people
    def naming(self, ethnicity: str) -> _Naming:
        return _NAMING.get(ethnicity, _KINH)

    def adult_name(self, ethnicity: str, sex: str, surname: str | None = None) -> str:
        naming = self.naming(ethnicity)
        surname = surname or naming.surnames.pick(self.rng)
        middle = naming.middle[sex].pick(self.rng)
        return f"{surname} {middle} {naming.given[sex].pick(self.rng)}"

    def phone(self) -> str | None:
        if self.rng.random() < P_NO_PHONE:
            return None
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10_000_000):07d}"

    def new_family(self) -> _Family:
        rng = self.rng
        ethnicity = self.ethnic_mix.pick(rng)
        naming = self.naming(ethnicity)
        surname = naming.surnames.pick(rng)
        commune = rng.choice(self.commune_codes)
        roll = rng.random()
        if roll < 0.6:
            relation, carer = "mẹ", self.adult_name(ethnicity, FEMALE)
        elif roll < 0.9:
            relation, carer = "cha", self.adult_name(ethnicity, MALE, surname)
        elif roll < 0.97:
            relation, carer = "ông/bà", self.adult_name(ethnicity, rng.choice((MALE, FEMALE)), surname)
        else:
            relation, carer = "người giám hộ", self.adult_name(ethnicity, rng.choice((MALE, FEMALE)))
        # Most births are registered in the province the family lives in.
        birth_province = self.province_code if rng.random() < 0.95 else rng.choice(self.other_provinces)
        return _Family(
            ethnicity,
            surname,
            commune,
            rng.choice(self.villages[commune]),
            carer,
            relation,
            self.phone(),
            birth_province,
        )

    def personal_id(self, family: _Family, sex: str, born: date) -> str | None:
        roll = self.rng.random()
        if roll < P_MISSING_ID:
            return None
        prefix = f"{family.birth_province:03d}{century_sex_digit(sex, born.year)}{born.year % 100:02d}"
        # IDs are unique: a counter per prefix through a bijection of 0..999999 looks random.
        if prefix not in self.id_counters:
            self.id_counters[prefix] = self.rng.randrange(1_000_000)
        counter = self.id_counters[prefix]
        self.id_counters[prefix] = counter + 1
        valid = prefix + f"{(counter * 387_420_489 + 123_457) % 1_000_000:06d}"
        if roll < P_MISSING_ID + P_MALFORMED_ID:
            return self.malform(valid)
        return valid

    def malform(self, valid: str) -> str:
        kind = self.rng.randrange(5)
        if kind == 0:
            return valid[:-1]  # a digit short
        if kind == 1:
            return valid[:5] + "O" + valid[6:]  # letter O typed for a zero
        if kind == 2:
            return valid[:3] + str(int(valid[3]) ^ 1) + valid[4:]  # sex digit contradicts the record
        if kind == 3:
            return "099" + valid[3:]  # province code that does not exist
        return valid[3:]  # nine digits, like an old identity card number

    def special_circumstances(self) -> list[str]:
        if self.rng.random() >= P_SPECIAL:
            return []
        groups = {_SPECIAL.pick(self.rng)}
        if self.rng.random() < 0.15:
            groups.add(_SPECIAL.pick(self.rng))
        return sorted(groups, key=SPECIAL_CIRCUMSTANCE_GROUPS.index)

    def child(
        self, record_id: str, family: _Family, born: date, sex: str | None = None, avoid_given: str | None = None
    ) -> dict:
        rng = self.rng
        sex = sex or (MALE if rng.random() < 0.525 else FEMALE)  # sex ratio at birth ~111
        naming = self.naming(family.ethnicity)
        middle = naming.middle[sex].pick(rng)
        given = naming.given[sex].pick(rng)
        while given == avoid_given:  # twins never share a given name
            given = naming.given[sex].pick(rng)
        pid = self.personal_id(family, sex, born)
        return {
            "id": record_id,
            "full_name": f"{family.surname} {middle} {given}",
            "surname": family.surname,
            "middle_name": middle,
            "given_name": given,
            "sex": sex,
            "birth_date": born,
            "ethnicity": family.ethnicity,
            "personal_id": pid,
            "birth_registered": pid is not None or rng.random() < 0.5,
            "commune_code": family.commune_code,
            "village": family.village,
            "carer_name": family.carer_name,
            "carer_relation": family.carer_relation,
            "carer_phone": family.carer_phone,
            "special_circumstances": self.special_circumstances(),
        }

    def birth_date(self) -> date:
        return date.fromordinal(self.as_of.toordinal() - self.rng.randrange(_CHILD_DAYS))

    def sibling_birth_date(self, elder: date) -> date:
        """One to six years from a sibling, on whichever side stays within childhood."""
        gap = self.rng.randrange(365, 6 * 365)
        earliest, latest = self.as_of.toordinal() - _CHILD_DAYS + 1, self.as_of.toordinal()
        for candidate in self.rng.sample((elder.toordinal() + gap, elder.toordinal() - gap), 2):
            if earliest <= candidate <= latest:
                return date.fromordinal(candidate)
        return self.birth_date()


# ---------------------------------------------------------------- noise for planted duplicates

_LETTERS = "abcdeghiklmnopqrstuvxy"


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word + rng.choice(_LETTERS)
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped
    if kind == 1:
        return word[:i] + word[i + 1 :]  # a letter dropped
    return word[:i] + rng.choice(_LETTERS) + word[i + 1 :]  # a letter mistyped


def _set_name(record: dict, surname: str, middle: str, given: str) -> None:
    record.update(
        surname=surname,
        middle_name=middle,
        given_name=given,
        full_name=" ".join(p for p in (surname, middle, given) if p),
    )


_NOISE_KINDS = ["no_diacritics", "drop_middle", "swap_day_month", "typo", "village", "date_typo"]


def _date_typo(born: date, rng: random.Random, as_of: date) -> date | None:
    """One digit of the day mistyped (14 -> 16, 03 -> 08), when that is still a valid past date."""
    day = f"{born.day:02d}"
    position = rng.randrange(2)
    digit = str((int(day[position]) + rng.randrange(1, 10)) % 10)
    typed = int(day[:position] + digit + day[position + 1 :])
    try:
        changed = born.replace(day=typed)
    except ValueError:
        return None
    return changed if changed <= as_of and changed != born else None


def _noisy_copy(original: dict, record_id: str, gen: _Generator) -> tuple[dict, tuple[str, ...]]:
    rng = gen.rng
    dup = dict(original, id=record_id, special_circumstances=list(original["special_circumstances"]))
    kinds = rng.sample(_NOISE_KINDS, k=rng.choice((1, 1, 2, 2, 3)))
    applied = []
    for kind in kinds:
        if kind == "no_diacritics":
            _set_name(dup, *(normalize_name(fold(dup[k])) for k in ("surname", "middle_name", "given_name")))
        elif kind == "drop_middle" and dup["middle_name"]:
            _set_name(dup, dup["surname"], "", dup["given_name"])
        elif (
            kind == "swap_day_month"
            and dup["birth_date"].day <= 12
            and dup["birth_date"].day != dup["birth_date"].month
        ):
            born = dup["birth_date"]
            dup["birth_date"] = born.replace(day=born.month, month=born.day)
            if dup["birth_date"] > gen.as_of:
                dup["birth_date"] = born
                continue
        elif kind == "typo":
            part = rng.choice(("given_name", "given_name", "surname", "carer_name"))
            if part == "carer_name":
                words = dup["carer_name"].split(" ")
                words[-1] = _typo(words[-1], rng)
                dup["carer_name"] = " ".join(words)
            else:
                dup[part] = _typo(dup[part], rng)
                _set_name(dup, dup["surname"], dup["middle_name"], dup["given_name"])
        elif kind == "date_typo":
            changed = _date_typo(dup["birth_date"], rng, gen.as_of)
            if changed is None:
                continue
            dup["birth_date"] = changed
        elif kind == "village":
            others = [v for v in gen.villages[dup["commune_code"]] if v != dup["village"]]
            if not others:
                continue
            dup["village"] = rng.choice(others)
        else:
            continue
        applied.append(kind)
    applied.append(_id_noise(dup, rng))
    return dup, tuple(applied)


def _id_noise(dup: dict, rng: random.Random) -> str:
    """A duplicate often exists because the second entry had no ID or a mistyped one."""
    roll = rng.random()
    if dup["personal_id"] is None or roll < 0.55:
        return "same_id"
    if roll < 0.85:
        dup["personal_id"] = None
        return "id_missing"
    pid = dup["personal_id"]
    i = rng.randrange(6, len(pid)) if len(pid) > 6 else 0
    dup["personal_id"] = (
        pid[:i] + str((int(pid[i]) + rng.randrange(1, 10)) % 10 if pid[i].isdigit() else 0) + pid[i + 1 :]
    )
    return "id_typo"


# ---------------------------------------------------------------- public API


def _children(gen: _Generator, n: int, duplicate_of: dict[int, str], noise_log: dict | None) -> Iterator[dict]:
    """n distinct children; after the i-th, its planted duplicate when duplicate_of names one."""
    rng = gen.rng
    family = None
    previous = None
    twin_pending = False
    for index in range(n):
        record_id = f"C{index + 1:07d}"
        if twin_pending and previous is not None:
            child = gen.child(record_id, family, previous["birth_date"], avoid_given=previous["given_name"])
            twin_pending = False
        else:
            if family is not None and previous is not None and rng.random() < P_SIBLING:
                born = gen.sibling_birth_date(previous["birth_date"])
            else:
                family, born = gen.new_family(), gen.birth_date()
            child = gen.child(record_id, family, born)
            twin_pending = rng.random() < P_TWIN
        yield child
        previous = child
        if index in duplicate_of:
            duplicate, noise = _noisy_copy(child, duplicate_of[index], gen)
            if noise_log is not None:
                noise_log[duplicate["id"]] = noise
            yield duplicate


def generate_children(
    n: int,
    commune_codes: Sequence[str],
    province_code: int | str,
    seed: int,
    planted_duplicates: int = 0,
    as_of: date = DEFAULT_AS_OF,
    noise_log: dict[str, tuple[str, ...]] | None = None,
) -> tuple[Iterator[dict], list[tuple[str, str]]]:
    """(records, planted duplicate pairs).

    records is a lazy iterator (a million rows never sit in memory at once) of n distinct children
    plus planted_duplicates noisy copies, each right after its original; pairs are (original id,
    duplicate id), known before iteration. Ids: "C0000001"... for children, "D0000001"... for copies.
    province_code is the legacy (pre-2025) code, which also prefixes most personal IDs.
    noise_log, if given, receives {duplicate id: kinds of noise applied} as the records are produced.
    """
    if not commune_codes:
        raise ValueError("commune_codes must not be empty")
    if planted_duplicates > n:
        raise ValueError("cannot plant more duplicates than there are children")
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    gen = _Generator(rng, list(commune_codes), int(province_code), as_of)
    originals = sorted(rng.sample(range(n), planted_duplicates))
    duplicate_of = {index: f"D{k + 1:07d}" for k, index in enumerate(originals)}
    pairs = [(f"C{index + 1:07d}", dup_id) for index, dup_id in duplicate_of.items()]
    return _children(gen, n, duplicate_of, noise_log), pairs
