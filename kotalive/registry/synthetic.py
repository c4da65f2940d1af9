"""A deterministic, realistic synthetic population of a kota: families with plausible ages and valid NIKs.

The same seed gives the same people (names, dates, NIKs, KK numbers) on every machine, so demos and benchmarks
can be repeated. Distributions are rough shapes of Kota Tangerang (religion, household size, kecamatan sizes),
good enough for load and for demos; they are not statistics.
"""

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from kotalive.registry.identity import FEMALE, MALE, format_nik

# Ages are computed against this fixed day so that a seed means the same population whatever day it runs.
REFERENCE_DATE = dt.date(2026, 1, 1)
# Serials of synthetic NIKs and KK numbers stay below this; demo people use serials from 9000 up.
SYNTHETIC_SERIAL_LIMIT = 9000

MALE_NAMES = [
    "Budi",
    "Agus",
    "Ahmad",
    "Andi",
    "Arif",
    "Bambang",
    "Dedi",
    "Dimas",
    "Eko",
    "Fajar",
    "Hadi",
    "Hendra",
    "Irfan",
    "Joko",
    "Kurniawan",
    "Lukman",
    "Muhammad",
    "Nanda",
    "Rizky",
    "Rudi",
    "Slamet",
    "Taufik",
    "Wahyu",
    "Yusuf",
    "Zainal",
    "Adi",
    "Bayu",
    "Dani",
    "Fikri",
    "Gilang",
    "Hasan",
    "Ilham",
    "Iwan",
    "Rahmat",
    "Rangga",
    "Reza",
    "Rian",
    "Sandi",
    "Teguh",
    "Umar",
    "Wawan",
    "Yoga",
    "Aditya",
    "Arya",
    "Dodi",
    "Farhan",
    "Galih",
    "Hendro",
    "Imam",
    "Ridwan",
    "Sutrisno",
]
FEMALE_NAMES = [
    "Siti",
    "Dewi",
    "Ayu",
    "Rina",
    "Sri",
    "Wulan",
    "Fitri",
    "Indah",
    "Lestari",
    "Maya",
    "Nur",
    "Putri",
    "Ratna",
    "Sari",
    "Tika",
    "Yuni",
    "Ani",
    "Citra",
    "Dina",
    "Eka",
    "Fira",
    "Gita",
    "Hani",
    "Intan",
    "Kartika",
    "Laila",
    "Mega",
    "Nia",
    "Octavia",
    "Puspita",
    "Rahma",
    "Salsabila",
    "Tari",
    "Vina",
    "Winda",
    "Yanti",
    "Zahra",
    "Aisyah",
    "Annisa",
    "Desi",
    "Eni",
    "Fatimah",
    "Handayani",
    "Irma",
    "Kurnia",
    "Lina",
    "Melati",
    "Novi",
    "Rini",
    "Susanti",
]
SECOND_NAMES = [
    "Santoso",
    "Pratama",
    "Saputra",
    "Wijaya",
    "Hidayat",
    "Nugroho",
    "Setiawan",
    "Kusuma",
    "Permana",
    "Ramadhan",
    "Firmansyah",
    "Hakim",
    "Rahmawati",
    "Lestari",
    "Wulandari",
    "Anggraini",
    "Maharani",
    "Safitri",
    "Handoko",
    "Gunawan",
    "Purnomo",
    "Siregar",
    "Nasution",
    "Sihombing",
    "Syahputra",
    "Maulana",
    "Fauzi",
    "Hermawan",
    "Susilo",
    "Suryadi",
]
BIRTH_PLACES = ("TANGERANG",) * 12 + (
    "JAKARTA",
    "BOGOR",
    "SERANG",
    "BANDUNG",
    "LEBAK",
    "PANDEGLANG",
    "SEMARANG",
    "SURABAYA",
    "PALEMBANG",
    "MEDAN",
    "BREBES",
    "TEGAL",
)
RELIGIONS = ("ISLAM", "KRISTEN", "KATOLIK", "BUDDHA", "HINDU", "KONGHUCU")
RELIGION_WEIGHTS = (90.0, 5.0, 2.5, 2.2, 0.2, 0.1)
STREETS = (
    "Jl. Merdeka",
    "Jl. Sudirman",
    "Jl. Daan Mogot",
    "Jl. Perintis Kemerdekaan",
    "Jl. Gatot Subroto",
    "Jl. Imam Bonjol",
    "Jl. KH Hasyim Ashari",
    "Jl. Raden Saleh",
    "Jl. Cipondoh Raya",
    "Jl. Ciledug Raya",
    "Jl. Veteran",
    "Jl. Kisamaun",
    "Jl. Moh. Toha",
    "Jl. Benteng Betawi",
    "Jl. Maulana Hasanudin",
)
# Relative kecamatan sizes (Cipondoh the largest, Benda the smallest), by kecamatan code suffix.
KECAMATAN_WEIGHTS = {
    "01": 8,
    "02": 6,
    "03": 5,
    "04": 4,
    "05": 12,
    "06": 8,
    "07": 9,
    "08": 7,
    "09": 7,
    "10": 6,
    "11": 9,
    "12": 6,
    "13": 8,
}
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7)
HOUSEHOLD_WEIGHTS = (8, 16, 24, 27, 15, 7, 3)


@dataclass
class SyntheticPerson:
    nik: str
    full_name: str
    birth_place: str
    birth_date: dt.date
    sex: str
    religion: str
    marital_status: str
    relationship: str
    education: str
    occupation: str
    father_name: str
    mother_name: str


@dataclass
class SyntheticFamily:
    kk_number: str
    address: str
    rt: str
    rw: str
    kelurahan_code: str
    issued_on: dt.date
    members: list[SyntheticPerson] = field(default_factory=list)


def _education(age: int, rng: random.Random) -> str:
    if age < 7:
        return "TIDAK/BELUM SEKOLAH"
    if age < 13:
        return "BELUM TAMAT SD/SEDERAJAT"
    if age < 16:
        return "TAMAT SD/SEDERAJAT"
    if age < 19:
        return "SLTP/SEDERAJAT"
    return rng.choices(
        (
            "TAMAT SD/SEDERAJAT",
            "SLTP/SEDERAJAT",
            "SLTA/SEDERAJAT",
            "DIPLOMA III",
            "DIPLOMA IV/STRATA I",
            "STRATA II",
        ),
        (10, 15, 45, 8, 19, 3),
    )[0]


def _occupation(age: int, sex: str, rng: random.Random) -> str:
    if age < 5:
        return "BELUM/TIDAK BEKERJA"
    if age < 22:
        return "PELAJAR/MAHASISWA"
    if age >= 60:
        return rng.choices(("PENSIUNAN", "WIRASWASTA", "BELUM/TIDAK BEKERJA"), (3, 3, 4))[0]
    jobs = (
        "KARYAWAN SWASTA",
        "WIRASWASTA",
        "BURUH HARIAN LEPAS",
        "PEDAGANG",
        "PEGAWAI NEGERI SIPIL",
        "GURU",
        "MENGURUS RUMAH TANGGA",
        "BELUM/TIDAK BEKERJA",
    )
    weights = (35, 18, 10, 8, 4, 3, 20 if sex == FEMALE else 2, 5)
    return rng.choices(jobs, weights)[0]


class PopulationGenerator:
    """Generates families for the kelurahan of one kota until `people` persons exist."""

    def __init__(self, *, kelurahan_codes: Sequence[str], seed: int) -> None:
        if not kelurahan_codes:
            raise ValueError("no kelurahan to place people in: load the regions first")
        self.rng = random.Random(seed)
        self.kelurahan = sorted(kelurahan_codes)
        self.kelurahan_weights = [KECAMATAN_WEIGHTS.get(code.split(".")[2], 6) for code in self.kelurahan]
        self.nik_serials: dict[str, int] = {}
        self.kk_serials: dict[str, int] = {}

    def _next_serial(self, counters: dict[str, int], prefix: str) -> int:
        serial = counters.get(prefix, 0) + 1
        if serial >= SYNTHETIC_SERIAL_LIMIT:
            raise OverflowError(f"more than {SYNTHETIC_SERIAL_LIMIT} synthetic serials for {prefix}")
        counters[prefix] = serial
        return serial

    def _birth_date(self, age_years: int) -> dt.date:
        return REFERENCE_DATE - dt.timedelta(days=age_years * 365 + self.rng.randrange(365))

    def _name(self, sex: str) -> str:
        first = self.rng.choice(MALE_NAMES if sex == MALE else FEMALE_NAMES)
        roll = self.rng.random()
        if roll < 0.25:
            return first.upper()
        if roll < 0.85:
            return f"{first} {self.rng.choice(SECOND_NAMES)}".upper()
        return (
            f"{first} {self.rng.choice(MALE_NAMES if sex == MALE else FEMALE_NAMES)} "
            f"{self.rng.choice(SECOND_NAMES)}".upper()
        )

    def _person(
        self,
        *,
        region6: str,
        age: int,
        sex: str,
        relationship: str,
        marital: str,
        religion: str,
        father: str,
        mother: str,
        name: str | None = None,
    ) -> SyntheticPerson:
        birth_date = self._birth_date(age)
        prefix = format_nik(region6=region6, birth_date=birth_date, sex=sex, serial=0)[:12]
        nik = prefix + f"{self._next_serial(self.nik_serials, prefix):04d}"
        return SyntheticPerson(
            nik=nik,
            full_name=name or self._name(sex),
            birth_place=self.rng.choice(BIRTH_PLACES),
            birth_date=birth_date,
            sex=sex,
            religion=religion,
            marital_status=marital,
            relationship=relationship,
            education=_education(age, self.rng),
            occupation=_occupation(age, sex, self.rng),
            father_name=father,
            mother_name=mother,
        )

    def family(self) -> SyntheticFamily:
        rng = self.rng
        kelurahan = rng.choices(self.kelurahan, self.kelurahan_weights)[0]
        region6 = kelurahan.replace(".", "")[:6]
        size = rng.choices(HOUSEHOLD_SIZES, HOUSEHOLD_WEIGHTS)[0]
        religion = rng.choices(RELIGIONS, RELIGION_WEIGHTS)[0]
        issued_on = REFERENCE_DATE - dt.timedelta(days=rng.randrange(1, 365 * 15))
        kk_prefix = f"{region6}{issued_on:%d%m%y}"
        kk_number = kk_prefix + f"{self._next_serial(self.kk_serials, kk_prefix):04d}"
        family = SyntheticFamily(
            kk_number=kk_number,
            address=f"{rng.choice(STREETS)} No. {rng.randrange(1, 250)}",
            rt=f"{rng.randrange(1, 15):03d}",
            rw=f"{rng.randrange(1, 12):03d}",
            kelurahan_code=kelurahan,
            issued_on=issued_on,
        )
        if size == 1:
            age = rng.randrange(20, 85)
            sex = rng.choice((MALE, FEMALE))
            marital = "BELUM KAWIN" if age < 35 else rng.choice(("BELUM KAWIN", "CERAI HIDUP", "CERAI MATI"))
            family.members.append(
                self._person(
                    region6=region6,
                    age=age,
                    sex=sex,
                    relationship="KEPALA KELUARGA",
                    marital=marital,
                    religion=religion,
                    father="",
                    mother="",
                )
            )
            return family
        head_age = rng.randrange(24, 76)
        head = self._person(
            region6=region6,
            age=head_age,
            sex=MALE,
            relationship="KEPALA KELUARGA",
            marital="KAWIN",
            religion=religion,
            father="",
            mother="",
        )
        wife_age = max(19, head_age - rng.randrange(-2, 8))
        wife = self._person(
            region6=region6,
            age=wife_age,
            sex=FEMALE,
            relationship="ISTRI",
            marital="KAWIN",
            religion=religion,
            father="",
            mother="",
        )
        family.members += [head, wife]
        youngest_parent = min(head_age, wife_age)
        for _ in range(size - 2):
            oldest_child = youngest_parent - 19
            if oldest_child < 0:
                break
            age = rng.randrange(0, oldest_child + 1)
            sex = rng.choice((MALE, FEMALE))
            family.members.append(
                self._person(
                    region6=region6,
                    age=age,
                    sex=sex,
                    relationship="ANAK",
                    marital="BELUM KAWIN" if age < 25 or rng.random() < 0.6 else "KAWIN",
                    religion=religion,
                    father=head.full_name,
                    mother=wife.full_name,
                )
            )
        return family

    def families(self, people: int) -> Iterator[SyntheticFamily]:
        made = 0
        while made < people:
            family = self.family()
            family.members = family.members[: people - made]
            made += len(family.members)
            yield family
