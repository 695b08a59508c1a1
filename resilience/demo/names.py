"""People's names (Dayak Ngaju, Banjar and Javanese, as met in Central Kalimantan) and
Indonesian mobile numbers for the demo, without exact duplicates."""

from __future__ import annotations

import random

from resilience.demo.draws import weighted

DAYAK_MALE = [
    "Yohanes", "Agustinus", "Yulius", "Fransiskus", "Markus", "Petrus", "Natalis",
    "Kristian", "Yosef", "Elias", "Daniel", "Herman", "Lukas", "Stefanus", "Adrianus",
    "Benediktus", "Hendrik", "Septian", "Januardi", "Rinto", "Darius", "Kornelis",
    "Simon", "Nehemia", "Yanto", "Erwin", "Salundik", "Tambun", "Rawen", "Sahari",
]
DAYAK_FEMALE = [
    "Yuliana", "Maria", "Elisabeth", "Ribka", "Debora", "Sinta", "Ester", "Rosalina",
    "Nelly", "Marlina", "Yenny", "Imelda", "Lusiana", "Kristina", "Natalia", "Agustina",
    "Yohana", "Rosita", "Desy", "Evi", "Santi", "Mariati", "Herlina", "Sarah", "Lidia",
    "Indah", "Fransiska", "Veronika",
]
DAYAK_FAMILY = [
    "Dehen", "Nyahu", "Ahat", "Bungai", "Toendan", "Liban", "Bahen", "Ilun", "Anyin",
    "Uwen", "Bulau", "Sangen", "Garantung", "Dirun", "Asang", "Lambung", "Ringkai",
    "Saing", "Kuhun", "Andin", "Hanyi", "Nyaming", "Katoeng", "Duwel", "Tingang",
    "Rambang", "Sahay", "Lawang", "Ngabe", "Ajun",
]
BANJAR_MALE = [
    "Rusdi", "Syahrani", "Hairil", "Fauzan", "Jumberi", "Saberi", "Mahmud", "Rahmadi",
    "Sarbani", "Riduan", "Samsuri", "Arbain", "Mursyid", "Hasbullah", "Fahrurrazi",
    "Basuni", "Jainudin", "Anang Sadli", "Saifullah", "Abdurrahman", "Zainal",
    "Yusran", "Norhadi", "Rizali", "Masrani", "Husin", "Gazali", "Mardani",
]
BANJAR_ABDUL = ["Halim", "Rahman", "Hadi", "Majid", "Gani", "Wahab", "Kadir", "Syukur"]
BANJAR_FEMALE = [
    "Masnah", "Rusmini", "Jumiati", "Salamah", "Mahrita", "Norhayati", "Aisyah",
    "Fatimah", "Hairunnisa", "Rusdiana", "Halimah", "Maimunah", "Nurul Hidayah",
    "Rabiatul Adawiyah", "Jamilah", "Fitriani", "Rahmawati", "Nor Hasanah", "Mariyam",
    "Saidah", "Masliani", "Hamidah", "Rukayah", "Syarifah", "Ernawati", "Yulianti",
    "Norjanah", "Mahdalena",
]
BANJAR_SITI = ["Aminah", "Rahmah", "Khadijah", "Norjanah", "Zubaidah", "Mariam", "Salmah"]
JAVA_MALE_FIRST = [
    "Budi", "Eko", "Agus", "Joko", "Bambang", "Heru", "Dwi", "Teguh", "Didik", "Edi",
    "Rudi", "Slamet", "Tri", "Hadi", "Yudi", "Bayu",
]
JAVA_MALE_LAST = [
    "Santoso", "Prasetyo", "Setiawan", "Susilo", "Sugiarto", "Purnomo", "Hartono",
    "Wibowo", "Suprapto", "Susanto", "Riyadi", "Wahyudi", "Nugroho", "Saputro",
    "Kurniawan",
]
JAVA_MALE_SINGLE = [
    "Sutrisno", "Suyatno", "Wagiman", "Sugeng", "Suparno", "Tukiman", "Sumarno",
    "Sukardi", "Ngadiman", "Suwarno", "Riyanto", "Sarijo", "Kasiman", "Paiman",
]
JAVA_FEMALE_FIRST = ["Sri", "Tri", "Dwi", "Endang", "Ani", "Yuli", "Rina", "Eka", "Nanik"]
JAVA_FEMALE_LAST = [
    "Wahyuni", "Handayani", "Lestari", "Rahayu", "Sulistyowati", "Purwanti", "Suryani",
    "Wulandari", "Mulyani", "Setyowati", "Astuti", "Rahmawati",
]
JAVA_FEMALE_SINGLE = [
    "Suparmi", "Sumarni", "Sulastri", "Tumini", "Sutinah", "Painem", "Wartini",
    "Suwarti", "Sriyati", "Ngatini", "Parmi", "Suminah",
]

# Indonesian mobile prefixes (after +62): Telkomsel, Indosat, XL.
MOBILE_PREFIXES = [
    "811", "812", "813", "821", "822", "852", "853",     # Telkomsel
    "814", "815", "816", "855", "856", "857", "858",     # Indosat
    "817", "818", "819", "859", "877", "878",            # XL
]


class Names:
    """Deterministic name maker that avoids exact duplicates."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._used = {}

    def _one(self, ethnic: str, female: bool, age: int | None) -> str:
        r = self.rng
        if ethnic == "dayak":
            first = r.choice(DAYAK_FEMALE if female else DAYAK_MALE)
            return f"{first} {r.choice(DAYAK_FAMILY)}"
        if ethnic == "banjar":
            if female:
                name = (f"Siti {r.choice(BANJAR_SITI)}" if r.random() < 0.25
                        else r.choice(BANJAR_FEMALE))
                title = "Hj. "
            else:
                x = r.random()
                if x < 0.25:
                    name = f"Muhammad {r.choice(BANJAR_MALE)}"
                elif x < 0.35:
                    name = f"Ahmad {r.choice(BANJAR_MALE)}"
                elif x < 0.45:
                    name = f"Abdul {r.choice(BANJAR_ABDUL)}"
                else:
                    name = r.choice(BANJAR_MALE)
                title = "H. "
            if age is not None and age >= 45 and r.random() < 0.2:
                name = title + name
            return name
        # javanese
        if female:
            if r.random() < 0.6:
                return f"{r.choice(JAVA_FEMALE_FIRST)} {r.choice(JAVA_FEMALE_LAST)}"
            return r.choice(JAVA_FEMALE_SINGLE)
        if r.random() < 0.6:
            return f"{r.choice(JAVA_MALE_FIRST)} {r.choice(JAVA_MALE_LAST)}"
        return r.choice(JAVA_MALE_SINGLE)

    def make(self, ethnic_weights, female: bool, age: int | None = None) -> str:
        ethnic = weighted(self.rng, ["dayak", "banjar", "javanese"], ethnic_weights)
        name = self._one(ethnic, female, age)
        for _ in range(60):
            if name not in self._used:
                break
            name = self._one(ethnic, female, age)
        self._used[name] = True
        return name


class Phones:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self._used = {}

    def make(self) -> str:
        while True:
            prefix = self.rng.choice(MOBILE_PREFIXES)
            n = 8 if self.rng.random() < 0.8 else 7
            rest = str(self.rng.randint(1, 9)) + "".join(
                str(self.rng.randint(0, 9)) for _ in range(n - 1))
            phone = f"+62{prefix}{rest}"
            if phone not in self._used:
                self._used[phone] = True
                return phone

