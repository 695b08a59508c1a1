"""A small message catalogue: Bahasa Indonesia (default) and English.

A Python dict per language is all this app needs (a few dozen strings, no plural forms that
``str.format`` cannot handle); a missing English string falls back to Indonesian, a missing key
shows the key, so a gap is visible rather than fatal."""

from __future__ import annotations

from flask import has_request_context, session

DEFAULT_LANGUAGE = "id"
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}

CATALOGUE: dict[str, dict[str, str]] = {
    "id": {
        "app_name": "Resilience — Posko Banjir",
        "skip_to_content": "Lompat ke isi",
        "menu": "Menu utama",
        "events": "Kejadian banjir",
        "volunteers": "Relawan",
        "login": "Masuk",
        "logout": "Keluar",
        "email": "Email",
        "password": "Kata sandi",
        "login_title": "Masuk ke Resilience",
        "login_failed": "Email atau kata sandi salah.",
        "login_rate_limited": "Terlalu banyak percobaan gagal. Coba lagi dalam 15 menit.",
        "logged_out": "Anda sudah keluar.",
        "csrf_failed": "Formulir kedaluwarsa atau tidak sah (token CSRF). Muat ulang halaman lalu coba lagi.",
        "forbidden_role": "Halaman ini tidak tersedia untuk peran {role}.",
        "role": "Peran",
        "role_admin": "admin", "role_coordinator": "koordinator", "role_official": "pejabat",
        "language": "Bahasa",
        "new_event": "Kejadian baru",
        "event_details": "Data kejadian",
        "name": "Nama",
        "status": "Status",
        "started_at": "Mulai (WIB)",
        "affected_area": "Wilayah terdampak (GeoJSON Polygon/MultiPolygon, opsional)",
        "upload_geojson": "Unggah berkas GeoJSON",
        "offer_timeout": "Batas waktu tawaran (menit)",
        "save": "Simpan",
        "cancel": "Batal",
        "no_events": "Belum ada kejadian banjir.",
        "event_created": "Kejadian \"{name}\" dibuat.",
        "fix_errors": "Periksa isian berikut:",
        "dashboard": "Dasbor",
        "overview_readonly": "Ringkasan hanya-baca (tanpa data pribadi).",
        "map": "Peta",
        "map_help": "Peta kejadian: batas kelurahan, wilayah banjir, rumah tangga, relawan dan tugas.",
        "open_needs_by_priority": "Kebutuhan terbuka per prioritas",
        "tasks_by_state": "Tugas per status",
        "households_served": "Rumah tangga terlayani",
        "households": "Rumah tangga",
        "priority": "Prioritas",
        "refreshed": "Diperbarui",
        "add_household": "Tambah rumah tangga dan kebutuhan",
        "head_name": "Nama kepala keluarga",
        "phone": "Telepon",
        "nik": "NIK (16 digit)",
        "kk_number": "Nomor KK (16 digit)",
        "address": "Alamat",
        "landmark": "Patokan",
        "lat": "Lintang (lat)",
        "lon": "Bujur (lon)",
        "pick_on_map": "Klik peta untuk menempatkan rumah tangga, atau ketik koordinat.",
        "members": "Jumlah anggota",
        "elderly": "Lansia",
        "children_under5": "Balita",
        "pregnant_or_lactating": "Hamil/menyusui",
        "disabled": "Disabilitas",
        "chronically_ill": "Sakit kronis",
        "vulnerability": "Anggota rentan",
        "need": "Kebutuhan",
        "need_category": "Jenis kebutuhan",
        "notes": "Catatan",
        "household_created": "Rumah tangga {name} dan kebutuhannya disimpan.",
        "cat_evacuation": "evakuasi", "cat_medical": "medis", "cat_psychosocial": "psikososial",
        "cat_food": "makanan", "cat_water": "air bersih", "cat_clothing": "pakaian", "cat_logistics": "logistik",
        "matching": "Pencocokan",
        "run_match": "Jalankan pencocokan",
        "max_distance_km": "Jarak maksimum (km)",
        "proposal": "Usulan penugasan",
        "no_proposal": "Belum ada usulan. Jalankan pencocokan.",
        "kelurahan": "Kelurahan",
        "volunteer": "Relawan",
        "distance": "Jarak",
        "skill": "Keahlian",
        "why": "Alasan",
        "confirm_dispatch": "Konfirmasi dan kirim SMS",
        "remove": "Hapus",
        "unassigned": "Tidak terpenuhi",
        "match_done": "Usulan: {served} dari {needs} kebutuhan, {volunteers} relawan tersedia.",
        "dispatched": "{offered} tugas ditawarkan lewat SMS; {skipped} dilewati.",
        "task_removed": "Tugas {code} dihapus dari usulan.",
        "live_tasks": "Tugas berjalan",
        "skills": "Keahlian",
        "availability": "Ketersediaan",
        "capacity": "Kapasitas",
        "sms_opt_out": "Berhenti SMS",
        "group": "Kelompok",
        "yes": "ya", "no": "tidak",
        "avail_available": "tersedia", "avail_busy": "sibuk", "avail_off": "libur",
        "sms": "SMS",
        "conversation": "Percakapan SMS",
        "no_messages": "Belum ada SMS.",
        "simulator": "Simulator telepon (mode outbox)",
        "simulator_help": "Balas sebagai relawan, misalnya \"YA T12\".",
        "reply": "Balasan",
        "send": "Kirim",
        "simulated": "SMS dari {phone} diterima; {replies} balasan dikirim.",
        "direction_inbound": "masuk", "direction_outbound": "keluar",
        "time": "Waktu",
        "tasks": "Tugas",
        "error": "Kesalahan",
        "back": "Kembali",
        "none": "—",
        # Domain terms, shown through term(): see TERMS below.
        "task_status_proposed": "diusulkan", "task_status_offered": "ditawarkan",
        "task_status_accepted": "diterima", "task_status_declined": "ditolak",
        "task_status_expired": "kedaluwarsa", "task_status_done": "selesai",
        "task_status_cancelled": "dibatalkan", "task_status_failed": "gagal",
        "need_status_open": "terbuka", "need_status_assigned": "ditugaskan",
        "need_status_in_progress": "sedang dikerjakan", "need_status_done": "selesai",
        "need_status_cancelled": "dibatalkan",
        "skill_boat": "perahu", "skill_first_aid": "P3K (pertolongan pertama)", "skill_counseling": "konseling",
        "skill_logistics": "logistik", "skill_driving": "mengemudi", "skill_cooking": "memasak",
        "event_status_active": "aktif", "event_status_closed": "ditutup",
        "sms_status_queued": "antre", "sms_status_sending": "sedang dikirim", "sms_status_sent": "terkirim",
        "sms_status_delivered": "sampai", "sms_status_undelivered": "tidak sampai", "sms_status_failed": "gagal",
        "sms_status_received": "diterima",
        "group_kind_youth": "pemuda / karang taruna", "group_kind_women": "perempuan / PKK",
        "group_kind_community": "masyarakat", "group_kind_ngo": "LSM", "group_kind_government": "pemerintah",
    },
    "en": {
        "app_name": "Resilience — Flood Posko",
        "skip_to_content": "Skip to content",
        "menu": "Main menu",
        "events": "Flood events",
        "volunteers": "Volunteers",
        "login": "Log in",
        "logout": "Log out",
        "email": "Email",
        "password": "Password",
        "login_title": "Log in to Resilience",
        "login_failed": "Wrong email or password.",
        "login_rate_limited": "Too many failed attempts. Try again in 15 minutes.",
        "logged_out": "You are logged out.",
        "csrf_failed": "The form expired or is not valid (CSRF token). Reload the page and try again.",
        "forbidden_role": "This page is not available to the {role} role.",
        "role": "Role",
        "role_admin": "admin", "role_coordinator": "coordinator", "role_official": "official",
        "language": "Language",
        "new_event": "New event",
        "event_details": "Event details",
        "name": "Name",
        "status": "Status",
        "started_at": "Started (WIB)",
        "affected_area": "Affected area (GeoJSON Polygon/MultiPolygon, optional)",
        "upload_geojson": "Upload a GeoJSON file",
        "offer_timeout": "Offer timeout (minutes)",
        "save": "Save",
        "cancel": "Cancel",
        "no_events": "No flood events yet.",
        "event_created": "Event \"{name}\" created.",
        "fix_errors": "Please check these fields:",
        "dashboard": "Dashboard",
        "overview_readonly": "Read-only overview (no personal data).",
        "map": "Map",
        "map_help": "Event map: kelurahan boundaries, flood area, households, volunteers and tasks.",
        "open_needs_by_priority": "Open needs by priority",
        "tasks_by_state": "Tasks by state",
        "households_served": "Households served",
        "households": "Households",
        "priority": "Priority",
        "refreshed": "Refreshed",
        "add_household": "Add a household and its need",
        "head_name": "Head of household",
        "phone": "Phone",
        "nik": "NIK (16 digits)",
        "kk_number": "KK number (16 digits)",
        "address": "Address",
        "landmark": "Landmark",
        "lat": "Latitude",
        "lon": "Longitude",
        "pick_on_map": "Click the map to place the household, or type the coordinates.",
        "members": "Members",
        "elderly": "Elderly",
        "children_under5": "Children under 5",
        "pregnant_or_lactating": "Pregnant or lactating",
        "disabled": "Disabled",
        "chronically_ill": "Chronically ill",
        "vulnerability": "Vulnerable members",
        "need": "Need",
        "need_category": "Need category",
        "notes": "Notes",
        "household_created": "Household {name} and its need saved.",
        "cat_evacuation": "evacuation", "cat_medical": "medical", "cat_psychosocial": "psychosocial",
        "cat_food": "food", "cat_water": "water", "cat_clothing": "clothing", "cat_logistics": "logistics",
        "matching": "Matching",
        "run_match": "Run matching",
        "max_distance_km": "Maximum distance (km)",
        "proposal": "Proposed assignments",
        "no_proposal": "No proposal yet. Run matching.",
        "kelurahan": "Kelurahan",
        "volunteer": "Volunteer",
        "distance": "Distance",
        "skill": "Skill",
        "why": "Why",
        "confirm_dispatch": "Confirm and send SMS",
        "remove": "Remove",
        "unassigned": "Not served",
        "match_done": "Proposal: {served} of {needs} needs, {volunteers} volunteers available.",
        "dispatched": "{offered} tasks offered by SMS; {skipped} skipped.",
        "task_removed": "Task {code} removed from the proposal.",
        "live_tasks": "Live tasks",
        "skills": "Skills",
        "availability": "Availability",
        "capacity": "Capacity",
        "sms_opt_out": "SMS opt-out",
        "group": "Group",
        "yes": "yes", "no": "no",
        "avail_available": "available", "avail_busy": "busy", "avail_off": "off",
        "sms": "SMS",
        "conversation": "SMS conversation",
        "no_messages": "No SMS yet.",
        "simulator": "Phone simulator (outbox mode)",
        "simulator_help": "Reply as the volunteer, e.g. \"YA T12\".",
        "reply": "Reply",
        "send": "Send",
        "simulated": "SMS from {phone} received; {replies} replies sent.",
        "direction_inbound": "in", "direction_outbound": "out",
        "time": "Time",
        "tasks": "Tasks",
        "error": "Error",
        "back": "Back",
        "none": "—",
        "task_status_proposed": "proposed", "task_status_offered": "offered",
        "task_status_accepted": "accepted", "task_status_declined": "declined",
        "task_status_expired": "expired", "task_status_done": "done",
        "task_status_cancelled": "cancelled", "task_status_failed": "failed",
        "need_status_open": "open", "need_status_assigned": "assigned",
        "need_status_in_progress": "in progress", "need_status_done": "done",
        "need_status_cancelled": "cancelled",
        "skill_boat": "boat", "skill_first_aid": "first aid", "skill_counseling": "counseling",
        "skill_logistics": "logistics", "skill_driving": "driving", "skill_cooking": "cooking",
        "event_status_active": "active", "event_status_closed": "closed",
        "sms_status_queued": "queued", "sms_status_sending": "sending", "sms_status_sent": "sent",
        "sms_status_delivered": "delivered", "sms_status_undelivered": "undelivered", "sms_status_failed": "failed",
        "sms_status_received": "received",
        "group_kind_youth": "youth / karang taruna", "group_kind_women": "women / PKK",
        "group_kind_community": "community", "group_kind_ngo": "NGO", "group_kind_government": "government",
    },
}

# Stored values (English codes in the database and the API) and the message-key prefix that
# words them: ``term("offered", "task_status")`` is "ditawarkan" in Bahasa Indonesia.
TERMS = {
    "task_status": "task_status_",
    "need_status": "need_status_",
    "category": "cat_",
    "skill": "skill_",
    "availability": "avail_",
    "event_status": "event_status_",
    "sms_status": "sms_status_",
    "group_kind": "group_kind_",
}


def extend(catalogue: dict[str, dict[str, str]]) -> None:
    """Add a page module's own strings (``{"id": {...}, "en": {...}}``) to the catalogue.

    Each page module keeps its strings beside its views; a key defined twice is a bug, so it
    raises rather than silently shadowing another page's text."""
    for lang, strings in catalogue.items():
        target = CATALOGUE.setdefault(lang, {})
        clash = sorted(set(target) & set(strings))
        if clash:
            raise KeyError(f"message keys defined twice ({lang}): {', '.join(clash)}")
        target.update(strings)


def current_language() -> str:
    if has_request_context():
        lang = session.get("lang")
        if lang in LANGUAGES:
            return lang
    return DEFAULT_LANGUAGE


def translate(key: str, **values) -> str:
    lang = current_language()
    text = CATALOGUE[lang].get(key) or CATALOGUE[DEFAULT_LANGUAGE].get(key) or key
    return text.format(**values) if values else text


def term(value, kind: str) -> str:
    """A stored code (a status, category, skill, availability, …) in the page language.

    An unknown value is shown as it is (data newer than the catalogue stays readable)."""
    if value is None or value == "":
        return translate("none")
    prefix = TERMS[kind]
    key = f"{prefix}{value}"
    lang = current_language()
    return CATALOGUE[lang].get(key) or CATALOGUE[DEFAULT_LANGUAGE].get(key) or str(value)


def terms(kind: str, values=None) -> dict[str, str]:
    """All words of one kind (for a page's JavaScript), or those of ``values``."""
    prefix = TERMS[kind]
    if values is None:
        values = [k[len(prefix):] for k in CATALOGUE[DEFAULT_LANGUAGE] if k.startswith(prefix)]
    return {v: term(v, kind) for v in values}


def number(value: float, digits: int = 1) -> str:
    """A decimal number as the page language writes it (Indonesian: 3,5; English: 3.5)."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if current_language() == "id" else text


def distance(metres: float | None) -> str:
    if metres is None:
        return translate("none")
    return f"{number(metres / 1000)} km" if metres >= 1000 else f"{metres:.0f} m"
