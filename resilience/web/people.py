"""What the household pages and the roster pages share: reading a map point from a form,
paging a list, and turning validation errors into messages a coordinator can act on.

The API's messages are English and written for programmers; on these pages each known message
is shown in the page language, next to the field's own label, with a link to the field. A
message this module does not know is shown as it is (better English than nothing).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from flask import request, url_for

from resilience.core.errors import DomainError
from resilience.core.schemas import point_dict
from resilience.web.forms import FormErrors
from resilience.web.i18n import current_language, extend, translate

PER_PAGE = 50

# --------------------------------------------------------------------------- messages
# (pattern, key): the key's text gets the pattern's groups as {0}, {1}, …
_MESSAGES: list[tuple[re.Pattern, str]] = [(re.compile(p), k) for p, k in (
    (r"^Missing data for required field\.$", "hh_err_required"),
    (r"^Not a valid integer\.$", "hh_err_integer"),
    (r"^Not a valid number\.$", "hh_err_number"),
    (r"^Must not be blank\.$", "hh_err_blank"),
    (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$", "hh_err_range"),
    (r"^Must be one of: (.*)\.$", "hh_err_one_of"),
    (r"^Longer than maximum length (\d+)\.$", "hh_err_too_long"),
    (r"^values must not repeat$", "hh_err_repeat"),
    (r"^(\d+) is more than the (\d+) members$", "hh_err_more_than_members"),
    (r"^phone number is too short", "hh_err_phone_short"),
    (r"^phone number is too long", "hh_err_phone_long"),
    (r"^this number cannot receive SMS", "hh_err_phone_not_mobile"),
    (r"^a phone number may contain only", "hh_err_phone_chars"),
    (r"^unknown country code", "hh_err_phone_country"),
    (r"^not a valid Indonesian or international phone number", "hh_err_phone_invalid"),
    (r"^(NIK|KK number) must be 16 digits; got (\d+)", "hh_err_id_length"),
    (r"^(NIK|KK number) must contain digits only", "hh_err_id_digits"),
    (r"^(NIK|KK number) province code (\d+)", "hh_err_id_province"),
    (r"^(NIK|KK number) (?:regency/city|district \(kecamatan\)) code", "hh_err_id_region"),
    (r"^(NIK|KK number) date part (\d+)", "hh_err_id_date"),
    (r"^(NIK|KK number) serial number", "hh_err_id_serial"),
    (r"^lat (\S+), lon (\S+) is outside Indonesia", "hh_err_outside"),
    (r"are lat and lon swapped\?$", "hh_err_swapped"),
    (r"^lat must be between", "hh_err_lat_range"),
    (r"^lon must be between", "hh_err_lon_range"),
    (r"^a household with this NIK is already registered \(id (\d+)\)", "hh_err_nik_taken"),
    (r"^household \d+ already has an open (\w+) need in this event", "hh_err_need_duplicate"),
    (r"^a reason is required to set priority (\d) instead of the derived (\d)", "hh_err_reason_required"),
    (r"^need \d+ is '(\w+)' and cannot become '(\w+)'", "hh_err_transition"),
    (r"^the event '(.*)' is closed", "hh_err_event_closed"),
    (r"^no flood event with id", "hh_err_no_event"),
    (r"^another volunteer already has this phone number", "vol_err_phone_taken"),
    (r"^no volunteer group with id", "vol_err_no_group"),
    (r"^a volunteer group named '(.*)' already exists", "grp_err_name_taken"),
    (r"^give both lat and lon, or neither$", "grp_err_half_point"),
)]

# Which label a field's error shows, and which input its link jumps to.
_FIELDS = {
    "location": ("hh_lat_lon", "lat"), "location.lat": ("lat", "lat"), "location.lon": ("lon", "lon"),
    "base_location": ("hh_lat_lon", "lat"), "base_location.lat": ("lat", "lat"),
    "base_location.lon": ("lon", "lon"),
    "category": ("need_category", "category"), "event_id": ("hh_event", "event_id"),
    "priority_reason": ("hh_priority_reason", "priority_reason"), "group_id": ("group", "group_id"),
    "kind": ("grp_kind", "kind"), "leader": ("grp_leader", "leader"), "trainings": ("vol_trainings", "trainings"),
}

extend({
    "id": {
        "hh_lat_lon": "Lokasi (lintang/bujur)",
        "hh_event": "Kejadian",
        "hh_priority_reason": "Alasan prioritas",
        "hh_err_required": "Wajib diisi.",
        "hh_err_integer": "Harus bilangan bulat.",
        "hh_err_number": "Harus angka (pakai titik atau koma desimal).",
        "hh_err_blank": "Tidak boleh kosong.",
        "hh_err_range": "Harus antara {0} dan {1}.",
        "hh_err_one_of": "Pilih salah satu: {0}.",
        "hh_err_too_long": "Terlalu panjang: paling banyak {0} karakter.",
        "hh_err_repeat": "Ada pilihan yang berulang.",
        "hh_err_more_than_members": "{0} lebih banyak dari jumlah anggota ({1}).",
        "hh_err_phone_short": "Nomor telepon terlalu pendek; contoh 0812-3456-7890.",
        "hh_err_phone_long": "Nomor telepon terlalu panjang; contoh 0812-3456-7890.",
        "hh_err_phone_not_mobile": "Nomor ini tidak bisa menerima SMS (bukan nomor HP); contoh 0812-3456-7890.",
        "hh_err_phone_chars": "Nomor telepon hanya boleh berisi angka, spasi, - . ( ) / dan + di depan.",
        "hh_err_phone_country": "Kode negara setelah '+' tidak dikenal; contoh +62 812 3456 7890.",
        "hh_err_phone_invalid": "Bukan nomor telepon yang sah; contoh 0812-3456-7890 atau +62 812 3456 7890.",
        "hh_err_id_length": "{0} harus 16 digit; yang diisi {1} digit.",
        "hh_err_id_digits": "{0} hanya boleh berisi angka (tanpa spasi, titik atau huruf).",
        "hh_err_id_province": "{0}: kode provinsi {1} (digit 1–2) tidak dikenal; Kalimantan Tengah = 62.",
        "hh_err_id_region": "{0}: kode kabupaten/kota dan kecamatan (digit 3–6) tidak boleh 00.",
        "hh_err_id_date": "{0}: bagian tanggal {1} (digit 7–12) bukan tanggal yang sah.",
        "hh_err_id_serial": "{0}: nomor urut (digit 13–16) tidak boleh 0000.",
        "hh_err_outside": "Titik {0}, {1} berada di luar Indonesia; periksa koordinat.",
        "hh_err_swapped": "Lintang dan bujur tertukar? Lintang Palangka Raya sekitar -1,6 dan bujurnya 113,7.",
        "hh_err_lat_range": "Lintang harus antara -90 dan 90.",
        "hh_err_lon_range": "Bujur harus antara -180 dan 180.",
        "hh_err_nik_taken": "NIK ini sudah terdaftar pada rumah tangga lain (#{0}).",
        "hh_err_need_duplicate": "Rumah tangga ini sudah punya kebutuhan {0} yang masih berjalan di kejadian ini.",
        "hh_err_reason_required": "Tulis alasan untuk memakai prioritas {0}, bukan prioritas otomatis {1}.",
        "hh_err_transition": "Status tidak bisa diubah dari {0} menjadi {1}.",
        "hh_err_event_closed": "Kejadian {0} sudah ditutup; buka kembali untuk mencatat kebutuhan.",
        "hh_err_no_event": "Kejadian tidak ditemukan.",
        "vol_err_phone_taken": "Nomor ini sudah dipakai relawan lain.",
        "vol_err_no_group": "Kelompok relawan tidak ditemukan.",
        "grp_err_name_taken": "Sudah ada kelompok bernama {0}.",
        "grp_err_half_point": "Isi lintang dan bujur, atau kosongkan keduanya.",
        "hh_page": "Halaman {page} dari {pages}",
        "hh_prev": "Sebelumnya",
        "hh_next": "Berikutnya",
        "hh_filter": "Saring",
        "hh_reset": "Hapus saringan",
    },
    "en": {
        "hh_lat_lon": "Location (lat/lon)",
        "hh_event": "Event",
        "hh_priority_reason": "Priority reason",
        "hh_err_required": "Required.",
        "hh_err_integer": "Must be a whole number.",
        "hh_err_number": "Must be a number.",
        "hh_err_blank": "Must not be blank.",
        "hh_err_range": "Must be between {0} and {1}.",
        "hh_err_one_of": "Choose one of: {0}.",
        "hh_err_too_long": "Too long: at most {0} characters.",
        "hh_err_repeat": "A choice is repeated.",
        "hh_err_more_than_members": "{0} is more than the number of members ({1}).",
        "hh_err_phone_short": "The phone number is too short; e.g. 0812-3456-7890.",
        "hh_err_phone_long": "The phone number is too long; e.g. 0812-3456-7890.",
        "hh_err_phone_not_mobile": "This number cannot receive SMS (not a mobile number); e.g. 0812-3456-7890.",
        "hh_err_phone_chars": "A phone number may contain only digits, spaces, - . ( ) / and a leading +.",
        "hh_err_phone_country": "Unknown country code after '+'; e.g. +62 812 3456 7890.",
        "hh_err_phone_invalid": "Not a valid phone number; e.g. 0812-3456-7890 or +62 812 3456 7890.",
        "hh_err_id_length": "{0} must be 16 digits; {1} given.",
        "hh_err_id_digits": "{0} must contain digits only (no spaces, dots or letters).",
        "hh_err_id_province": "{0}: province code {1} (digits 1–2) is unknown; Kalimantan Tengah is 62.",
        "hh_err_id_region": "{0}: the regency/city and district codes (digits 3–6) must not be 00.",
        "hh_err_id_date": "{0}: the date part {1} (digits 7–12) is not a valid date.",
        "hh_err_id_serial": "{0}: the serial number (digits 13–16) must not be 0000.",
        "hh_err_outside": "The point {0}, {1} is outside Indonesia; check the coordinates.",
        "hh_err_swapped": "Are latitude and longitude swapped? Palangka Raya is near latitude -1.6, longitude 113.7.",
        "hh_err_lat_range": "Latitude must be between -90 and 90.",
        "hh_err_lon_range": "Longitude must be between -180 and 180.",
        "hh_err_nik_taken": "This NIK is already registered to another household (#{0}).",
        "hh_err_need_duplicate": "This household already has a live {0} need in this event.",
        "hh_err_reason_required": "Give a reason to use priority {0} instead of the derived {1}.",
        "hh_err_transition": "The status cannot change from {0} to {1}.",
        "hh_err_event_closed": "The event {0} is closed; reopen it to record needs.",
        "hh_err_no_event": "No such event.",
        "vol_err_phone_taken": "Another volunteer already has this number.",
        "vol_err_no_group": "No such volunteer group.",
        "grp_err_name_taken": "A group named {0} already exists.",
        "grp_err_half_point": "Give both latitude and longitude, or neither.",
        "hh_page": "Page {page} of {pages}",
        "hh_prev": "Previous",
        "hh_next": "Next",
        "hh_filter": "Filter",
        "hh_reset": "Clear filters",
    },
})


def message(text: str) -> str:
    """One validation message in the page language."""
    for pattern, key in _MESSAGES:
        match = pattern.search(text)
        if match:
            groups = [_value_label(g) for g in match.groups()]
            return translate(key).format(*groups)
    return text


def _value_label(value: str) -> str:
    """Words inside messages that have a label of their own (categories, statuses, NIK/KK)."""
    for key in (f"cat_{value}", f"hh_status_{value}"):
        text = translate(key)
        if text != key:
            return text
    if value == "KK number":
        return "KK" if current_language() == "id" else "KK number"
    return value


def localise(errors: list[dict]) -> list[dict]:
    """Errors as ``{"field", "anchor", "label", "message"}`` in the page language."""
    out = []
    for error in errors:
        field = error.get("field") or ""
        label_key, anchor = _FIELDS.get(field, (field.split(".")[0], field.split(".")[0]))
        label = translate(label_key) if label_key else ""
        out.append({"field": field, "anchor": f"f-{anchor}" if anchor else "",
                    "label": label, "message": message(error.get("message") or "")})
    return out


# A conflict names no field; these say which input it is about.
_CONFLICT_FIELDS = [(re.compile(p), f) for p, f in (
    (r"NIK", "nik"), (r"need in this event", "category"), (r"is closed", "event_id"),
    (r"cannot become", "status"), (r"volunteer group named", "name"),
)]


def failure(exc: FormErrors | DomainError) -> tuple[list[dict], int]:
    """A rejected form's errors for the page, and the HTTP status to answer with."""
    if isinstance(exc, FormErrors):
        return localise(exc.errors), 422
    errors = exc.errors
    if not errors:
        field = exc.extra.get("field") or next((f for p, f in _CONFLICT_FIELDS if p.search(exc.detail)), "")
        errors = [{"field": field, "message": exc.detail}]
    return localise(errors), exc.status


# --------------------------------------------------------------------------- form input
def parse_number(form, name: str, errors: list[dict], field: str | None = None) -> float | None:
    raw = (form.get(name) or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        errors.append({"field": field or name, "message": "Not a valid number."})
        return None
    if not math.isfinite(value):
        errors.append({"field": field or name, "message": "Not a valid number."})
        return None
    return value


def point_input(form, errors: list[dict], field: str, required: bool) -> dict | None:
    """The ``lat``/``lon`` inputs as the API's point object (None when absent)."""
    present = [bool((form.get(n) or "").strip()) for n in ("lat", "lon")]
    lat = parse_number(form, "lat", errors, f"{field}.lat")
    lon = parse_number(form, "lon", errors, f"{field}.lon")
    if not any(present):
        if required:
            errors.append({"field": field, "message": "Missing data for required field."})
        return None
    if not all(present):
        if required:
            missing = "lat" if not present[0] else "lon"
            errors.append({"field": f"{field}.{missing}", "message": "Missing data for required field."})
        else:
            errors.append({"field": field, "message": "give both lat and lon, or neither"})
        return None
    if lat is None or lon is None:
        return None
    return {"lat": lat, "lon": lon}


def changed_fields(obj, loaded: dict, points: tuple[str, ...] = (), unordered: tuple[str, ...] = ()) -> dict:
    """The loaded form values that differ from what ``obj`` holds, for an edit that sends only
    what changed: ``points`` compare as lat/lon, ``unordered`` lists as sorted, and a blank
    text field equals a missing value."""
    changed = {}
    for key, value in loaded.items():
        current = getattr(obj, key)
        if key in points:
            same = point_dict(value) == point_dict(current)
        elif key in unordered:
            same = sorted(value or []) == sorted(current or [])
        else:
            same = value == current or (value == "" and current is None)
        if not same:
            changed[key] = value
    return changed


def integer_input(form, name: str, errors: list[dict], blank=None):
    raw = (form.get(name) or "").strip()
    if not raw:
        return blank
    try:
        return int(raw)
    except ValueError:
        errors.append({"field": name, "message": "Not a valid integer."})
        return None


# --------------------------------------------------------------------------- paging
@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def url(self, page: int) -> str:
        args = request.args.to_dict()
        args["page"] = str(page)
        return url_for(request.endpoint, **(request.view_args or {}), **args)


def page_number() -> int:
    raw = request.args.get("page", "1")
    return max(1, int(raw)) if raw.isdigit() else 1
