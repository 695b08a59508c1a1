"""SMS messages a volunteer receives about tasks: the Bahasa Indonesia templates.

Pure functions only (no Flask, no database). GSM-7 and segment counting: ``sms.gsm7``.

Templates
---------
Every template returns GSM-7-only text of at most 2 segments (306 septets) for realistic
inputs (codes ``T`` + up to 10 digits, counts up to 999, distances up to 1000 km, timeouts up
to a day; landmark and kelurahan text of any length). The rules:

* Free text (landmark, kelurahan, words passed through) is passed through ``to_gsm7``,
  whitespace runs (newlines included) become one space, and any run of 8 or more digits
  (optionally separated by spaces, dots, slashes or dashes) is replaced by ``***``: a phone
  number, NIK or KK number typed into a landmark never reaches a volunteer's phone. The
  templates do not take NIK, KK number or household phone at all.
* The kelurahan name is shown as ``Kel. <name>`` unless it already starts with ``Kel``,
  ``Kelurahan`` or ``Desa``.
* An unknown need category or vulnerable-group key is a programming error: ``ValueError``.
* When a message would not fit, variable text is shortened with ``...`` in this order: the
  landmark down to 24 characters, the kelurahan name down to 16, then the landmark and the
  kelurahan altogether. The task code and the reply instructions are never shortened.
  ``status_list`` and ``ambiguous`` list as many codes as fit and add ``+N lagi``; a status or
  category word passed through as free text is cut to 30 characters.
* Instructions name only the protocol's keywords (YA, TIDAK, SELESAI, STATUS, BERHENTI/STOP,
  MULAI); never Twilio's reserved words (CANCEL, END, QUIT, YES, START, HELP, INFO …).
* Need categories and task statuses are given as the SPEC's English keys and shown in
  Indonesian (``NEED_LABELS``, ``STATUS_WORDS``); ``status_list`` and ``already`` also accept a
  word that is already Indonesian and show it as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from resilience.sms.gsm7 import GSM7_PART, GSM7_SINGLE, MAX_SEGMENTS, fits, to_gsm7

# --- vocabulary ---------------------------------------------------------------------------

NEED_LABELS = {
    "evacuation": "evakuasi (perahu)",
    "medical": "pertolongan pertama",
    "psychosocial": "dukungan psikososial",
    "food": "makanan",
    "water": "air bersih",
    "clothing": "pakaian",
    "logistics": "logistik",
}

# Keys are the Household fields; the order is the order shown.
VULNERABLE_LABELS = {
    "elderly": "lansia",
    "children_under5": "balita",
    "pregnant_or_lactating": "ibu hamil/menyusui",
    "disabled": "disabilitas",
    "chronically_ill": "sakit kronis",
}

STATUS_WORDS = {
    "proposed": "diusulkan",
    "offered": "menunggu jawaban",
    "accepted": "diterima",
    "declined": "ditolak",
    "expired": "kedaluwarsa",
    "done": "selesai",
    "cancelled": "dibatalkan",
    "failed": "gagal",
}

# Words that must never appear as instructions: Twilio acts on them by itself.
TWILIO_RESERVED = ("CANCEL", "END", "QUIT", "YES", "STOPALL", "UNSUBSCRIBE", "START", "UNSTOP",
                   "INFO", "HELP")

_SPACES = re.compile(r"\s+")
# 8+ digits, possibly grouped by spaces, dots or dashes: phone, NIK and KK numbers.
_LONG_NUMBER = re.compile(r"\+?\d(?:[ ./\-]?\d){7,}")
_ELLIPSIS = "..."
_WORD_MAX = 30  # a status or category word passed through as text is cut to this


def _clean(value: object) -> str:
    """Free text as it may appear in an SMS: GSM-7, one line, no long numbers."""
    if value is None:
        return ""
    text = _SPACES.sub(" ", to_gsm7(str(value))).strip()
    return _LONG_NUMBER.sub("***", text)


def _code(code: object) -> str:
    return _SPACES.sub("", to_gsm7(str(code))).upper()


def _need(category: str) -> str:
    try:
        return NEED_LABELS[category]
    except KeyError:
        raise ValueError(f"unknown need category {category!r}; expected one of {', '.join(NEED_LABELS)}") from None


def _status(word: object) -> str:
    return STATUS_WORDS.get(str(word)) or _shorten(_clean(word), _WORD_MAX)


def _category(word: object) -> str:
    return NEED_LABELS.get(str(word)) or _shorten(_clean(word), _WORD_MAX)


def _kelurahan(name: str) -> str:
    if not name:
        return ""
    if re.match(r"(?i)(kel\b|kelurahan\b|desa\b)", name):
        return name
    return f"Kel. {name}"


def _shorten(value: str, keep: int) -> str:
    """``value`` cut to ``keep`` characters (``...`` included); "" when ``keep`` is too small."""
    if len(value) <= keep:
        return value
    room = keep - len(_ELLIPSIS)
    if room < 1:
        return ""
    head = value[:room].rstrip(" ,.;:-/(")
    return head + _ELLIPSIS if head else ""


def _fit(render: Callable[..., str], values: dict[str, str],
         steps: Iterable[tuple[str, int]]) -> str:
    """Render, shortening ``values[name]`` step by step to at least ``floor`` characters.

    For each step the longest length (not below ``floor``) that lets the message fit is found
    by bisection; when even ``floor`` does not fit the value stays at ``floor`` and the next
    step shortens the next value. If nothing is left to shorten the last render is returned.
    """
    values = dict(values)
    text = render(**values)
    if fits(text):
        return text
    for name, floor in steps:
        full = values[name][: GSM7_PART * MAX_SEGMENTS]
        if len(full) <= floor:
            continue
        candidate = {**values, name: _shorten(full, floor)}
        if not fits(render(**candidate)):
            values = candidate
            continue
        lo, hi = floor, len(full) - 1  # lo fits, the full value does not
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(render(**{**values, name: _shorten(full, mid)})):
                lo = mid
            else:
                hi = mid - 1
        return render(**{**values, name: _shorten(full, lo)})
    return render(**values)


_PLACE_STEPS = (("landmark", 24), ("kelurahan", 16), ("landmark", 0), ("kelurahan", 0))


def _place(landmark: str, kelurahan: str) -> str:
    return ", ".join(part for part in (landmark, kelurahan) if part)


def _km(distance_m: float) -> str:
    text = f"{float(distance_m) / 1000:,.1f}"  # 1,234.5
    return text.replace(",", "_").replace(".", ",").replace("_", ".") + " km"


def _count_list(items: list[str], fit: Callable[[str], bool], prefix: str = "",
                sep: str = ", ") -> str:
    """As many ``items`` as ``fit`` allows, joined with ``sep``, and "+N lagi" for the rest."""
    for shown in range(min(len(items), GSM7_SINGLE), 0, -1):  # 160 items never fit anyway
        rest = len(items) - shown
        listed = sep.join(items[:shown]) + (f"{sep}+{rest} lagi" if rest else "")
        if fit(prefix + listed):
            return prefix + listed
    return prefix + f"{len(items)} tugas"


# --- templates ----------------------------------------------------------------------------


def offer(code: str, need_category: str, people: int | None, vulnerable: Mapping[str, int] | None,
          landmark: str | None, kelurahan: str | None, distance_m: float | None,
          timeout_minutes: int | None, approximate: bool = False) -> str:
    """The task offer: code, need, people (and vulnerable members), place, distance, how to answer.

    ``vulnerable`` is keyed by the Household fields (``VULNERABLE_LABELS``); zero counts are
    left out. ``people``, ``distance_m`` and ``timeout_minutes`` may be None (left out).
    ``approximate``: the household's point is only its kelurahan's, so the place is announced
    as "Lokasi perkiraan" and the distance as "+-" (the volunteer asks around the landmark).
    """
    code = _code(code)
    need = _need(need_category)
    vulnerable = dict(vulnerable or {})
    unknown = set(vulnerable) - set(VULNERABLE_LABELS)
    if unknown:
        raise ValueError(f"unknown vulnerable group(s) {sorted(unknown)}; expected {list(VULNERABLE_LABELS)}")
    groups = [f"{int(vulnerable[key])} {label}" for key, label in VULNERABLE_LABELS.items()
              if int(vulnerable.get(key) or 0) > 0]
    who = f" untuk {int(people)} orang" if people else (" untuk warga" if groups else "")
    if groups:
        who += f" ({', '.join(groups)})"
    distance = _km(distance_m) if distance_m is not None else ""
    if distance and approximate:
        distance = "+-" + distance
    label = "Lokasi perkiraan" if approximate else "Lokasi"
    answer = f"Balas YA {code} untuk menerima atau TIDAK {code} untuk menolak."
    if timeout_minutes:
        answer += f" Berlaku {int(timeout_minutes)} menit."

    def render(landmark: str, kelurahan: str) -> str:
        place = _place(landmark, kelurahan)
        if place and distance:
            where = f" {label}: {place} ({distance} dari Anda)."
        elif place:
            where = f" {label}: {place}."
        elif distance:
            where = f" Jarak {distance} dari Anda" + (", lokasi perkiraan." if approximate else ".")
        else:
            where = " Lokasi perkiraan." if approximate else ""
        return f"Tugas {code}: {need}{who}.{where} {answer}"

    return _fit(render, {"landmark": _clean(landmark), "kelurahan": _kelurahan(_clean(kelurahan))},
                _PLACE_STEPS)


def accepted(code: str, landmark: str | None, kelurahan: str | None) -> str:
    """Confirms an accepted task; says where to go and how to report it done."""
    code = _code(code)

    def render(landmark: str, kelurahan: str) -> str:
        place = _place(landmark, kelurahan)
        where = f" Lokasi: {place}." if place else ""
        return (f"Terima kasih, tugas {code} sudah tercatat untuk Anda.{where} "
                f"Setelah selesai, balas SELESAI {code}.")

    return _fit(render, {"landmark": _clean(landmark), "kelurahan": _kelurahan(_clean(kelurahan))},
                _PLACE_STEPS)


def declined(code: str) -> str:
    """Confirms a declined offer."""
    return (f"Terima kasih, penolakan tugas {_code(code)} sudah kami terima. "
            "Tugas ini akan ditawarkan ke relawan lain.")


def done(code: str) -> str:
    """Confirms a task reported done."""
    return f"Terima kasih, tugas {_code(code)} tercatat selesai. Bantuan Anda sangat berarti."


def already(code: str, status: str) -> str:
    """Answer to a repeated reply: the task already has ``status``; nothing changed."""
    code = _code(code)
    text = f"Tugas {code} sudah berstatus {_status(status)}. Tidak ada perubahan."
    if status == "accepted":
        text += f" Balas SELESAI {code} setelah tugas selesai."
    elif status == "offered":
        text += f" Balas YA {code} atau TIDAK {code}."
    return text


def not_yours(code: str) -> str:
    """The code exists but belongs to someone else (the answer reveals nothing about it)."""
    return (f"Tugas {_code(code)} tidak terdaftar untuk Anda. "
            "Balas STATUS untuk melihat tugas Anda.")


def unknown_code(code: str) -> str:
    """No task has this code."""
    return (f"Kode tugas {_code(code)} tidak ditemukan. Periksa kembali kodenya, "
            "atau balas STATUS untuk melihat tugas Anda.")


def ambiguous(codes: list[str]) -> str:
    """The code was left out but the volunteer has several open tasks: ask for it."""
    codes = [_code(c) for c in codes]
    example = codes[0] if codes else "T123"
    tail = f". Tulis kodenya, mis. YA {example}, TIDAK {example} atau SELESAI {example}."
    return _count_list(codes, lambda head: fits(head + tail),
                       "Anda punya beberapa tugas terbuka: ") + tail


def no_open_tasks() -> str:
    """The volunteer has no open task."""
    return "Saat ini Anda tidak punya tugas terbuka. Terima kasih atas kesiapan Anda."


def status_list(tasks: list[tuple[str, str, str]]) -> str:
    """The volunteer's open tasks as ``(code, status, category)``; ``+N lagi`` when too many.

    ``status`` and ``category`` are the English keys (translated) or words shown as given.
    """
    if not tasks:
        return no_open_tasks()
    items = [f"{_code(code)} {_category(category)}: {_status(status)}"
             for code, status, category in tasks]
    tail = ". Balas SELESAI dan kode tugas setelah selesai."
    return _count_list(items, lambda head: fits(head + tail), "Tugas Anda: ", "; ") + tail


def opted_out() -> str:
    """Confirms STOP/BERHENTI; says how to come back."""
    return ("Anda tidak akan menerima SMS tugas lagi. Terima kasih atas bantuan Anda. "
            "Untuk aktif kembali, kirim MULAI.")


def opted_in() -> str:
    """Confirms MULAI."""
    return ("Selamat datang kembali, Anda akan menerima SMS tugas lagi. "
            "Untuk berhenti, kirim BERHENTI.")


def help_text() -> str:
    """The reply keywords, with the code format."""
    return ("Cara membalas (kode tugas = T + angka, mis. T123): YA T123 = terima, "
            "TIDAK T123 = tolak, SELESAI T123 = tugas selesai, STATUS = daftar tugas Anda, "
            "BERHENTI atau STOP = berhenti menerima SMS, MULAI = aktif kembali.")


def expired(code: str) -> str:
    """The offer was not answered in time and went to someone else."""
    return (f"Waktu menjawab tugas {_code(code)} sudah habis; tugas dialihkan ke relawan lain. "
            "Terima kasih.")


def cancelled(code: str) -> str:
    """The coordinator cancelled the task."""
    return (f"Tugas {_code(code)} dibatalkan oleh koordinator. Anda tidak perlu melanjutkan "
            "tugas ini. Terima kasih.")
