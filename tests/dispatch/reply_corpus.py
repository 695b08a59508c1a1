"""A corpus of realistic SMS replies from volunteers (and strangers), each labelled with what it
must do when it arrives: run through the real inbound path by tests/dispatch/test_reply_corpus.py
on both databases.

Every case is ``Case(world, body, change, answer, reason)``:

``world`` — what the sender has when the SMS arrives (tasks made by the test):
    ``offer``           T offered; nobody else could take the need (a decline leaves it open)
    ``offer+spare``     T offered; another capable volunteer is near (a decline re-offers it)
    ``accepted``        T accepted
    ``accepted+offer``  T accepted, U offered
    ``two offers``      T and U offered
    ``expired``         T expired (the offer ran out)
    ``declined``        T declined earlier with the reason "motor mogok"
    ``idle``            a volunteer with no task
    ``stranger``        a number that is no volunteer's
``body`` — the SMS; ``{T}``/``{U}`` are the task codes (``{t}`` lower case, ``{n}`` T's number).
``change`` — ``"T accepted"``, ``"U done"`` …: the one state change it must make (and nothing
    else: no attention); ``"inbox"``: no state change, the message is marked for the
    coordinator's attention; ``"-"``: no state change and no attention.
``answer`` — the SMS the sender gets back, by kind (``dispatch.messages``): ``accepted``,
    ``declined`` (re-offered), ``declined alone`` (nobody else), ``done``, ``forwarded`` (passed to
    the coordinator, with the sender's tasks), ``state T`` (T's real state and what to send),
    ``backing out T``, ``status``, ``ambiguous T U``, ``no tasks``, ``unknown code``,
    ``opted out``, ``opted in``, ``help requested`` (a resident's TOLONG, now a help request),
    ``none`` (no SMS at all).
``reason`` — for a decline, the words kept as the task's decline reason.
"""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    world: str
    body: str
    change: str
    answer: str
    reason: str = ""


CORPUS = [
    # --- accepting an offer ---------------------------------------------------------------------
    Case("offer", "YA {T}", "T accepted", "accepted"),
    Case("offer", "ya", "T accepted", "accepted"),
    Case("offer", "Siap pak 🙏", "T accepted", "accepted"),
    Case("offer", "OKE", "T accepted", "accepted"),
    Case("offer", "oke siap", "T accepted", "accepted"),
    Case("offer", "Iyaa {T} siap laksanakan", "T accepted", "accepted"),
    Case("offer", "Siap, laksanakan!", "T accepted", "accepted"),
    Case("offer", "siap 86", "T accepted", "accepted"),
    Case("offer", "Y", "T accepted", "accepted"),
    Case("offer", "Yes {T}", "T accepted", "accepted"),
    Case("offer", "ok, terima kasih", "T accepted", "accepted"),
    Case("offer", "{T} ya", "T accepted", "accepted"),
    Case("offer", "ya{n}", "T accepted", "accepted"),
    Case("offer", "Ya t-{n}!!", "T accepted", "accepted"),
    Case("offer", "Pak, YA {t}", "T accepted", "accepted"),
    Case("offer", "YAAA {T} 🙏🙏", "T accepted", "accepted"),
    Case("offer", "Ok thank you", "T accepted", "accepted"),
    Case("offer", "  terima {T}  ", "T accepted", "accepted"),
    Case("two offers", "YA {U}", "U accepted", "accepted"),
    Case("accepted+offer", "ya", "U accepted", "accepted"),  # the one offer
    # --- free text that must change nothing ---------------------------------------------------
    Case("offer", "oke siap meluncur", "inbox", "forwarded"),
    Case("offer", "siap otw", "inbox", "forwarded"),
    Case("offer", "Saya bisa bu, berangkat skrg", "inbox", "forwarded"),
    Case("offer", "terima kasih", "inbox", "forwarded"),  # TERIMA in "terima kasih" is no YA
    Case("offer", "👍", "inbox", "forwarded"),
    Case("offer", "halo pak, ini alamatnya di mana ya?", "inbox", "forwarded"),
    Case("offer", "Saya tidak bisa pak, perahu bocor", "inbox", "forwarded"),
    Case("offer", "tidak ada masalah", "inbox", "forwarded"),  # "no problem" is no decline
    Case("offer", "gak papa pak", "inbox", "forwarded"),
    Case("offer", "batal pak, motor mogok", "inbox", "forwarded"),
    Case("offer", "sudah sampai, rumahnya kosong", "inbox", "forwarded"),
    Case("offer", "YA TIDAK", "inbox", "forwarded"),
    Case("offer", "YA {T} T99999", "inbox", "forwarded"),  # two codes: which one?
    Case("offer", "YA {T} saya berangkat sekarang", "inbox", "forwarded"),
    Case("offer", "Berhenti di jembatan, air tinggi", "inbox", "forwarded"),  # no opt-out
    Case("offer", "cancel {T}", "inbox", "forwarded"),  # Twilio's CANCEL counts only alone
    Case("offer", "YA T" + "1" * 15, "inbox", "forwarded"),  # no task code is that long
    Case("offer", "tolong kirim alamat lengkapnya", "inbox", "forwarded"),
    Case("offer", "HELP", "inbox", "forwarded"),
    Case("accepted", "sudah sampai, rumahnya kosong", "inbox", "forwarded"),
    Case("accepted", "SELESAI {T} tapi ibunya belum dievakuasi", "inbox", "forwarded"),
    Case("accepted", "oke siap meluncur", "inbox", "forwarded"),
    Case("accepted", "Sudah dievakuasi 5 orang", "inbox", "forwarded"),
    Case("accepted", "selesai 5 orang", "inbox", "forwarded"),
    Case("accepted", "SELESAI OK", "inbox", "forwarded"),
    Case("accepted", "air makin tinggi pak, perahu susah masuk gang", "inbox", "forwarded"),
    Case("accepted+offer", "sudah sampai", "inbox", "forwarded"),
    Case("two offers", "YA {T} {U}", "inbox", "forwarded"),
    Case("two offers", "TIDAK {T}, sudah ambil {U}", "inbox", "forwarded"),
    Case("idle", "halo, masih ada tugas?", "inbox", "forwarded"),
    # --- a command that does not fit the task's state: nothing changes, the truth is told ---------
    Case("offer", "selesai ya", "inbox", "state T"),  # done on an offer: "T belum Anda terima …"
    Case("offer", "SUDAH", "inbox", "state T"),
    Case("accepted", "YA", "-", "state T"),  # a repeat: "T sudah Anda terima; balas SELESAI T …"
    Case("accepted", "oke {T}", "-", "state T"),
    Case("accepted+offer", "SELESAI {U}", "inbox", "state U"),
    Case("expired", "YA {T}", "inbox", "state T"),  # late: the offer went elsewhere
    Case("declined", "TIDAK {T} motor mogok", "-", "state T"),  # the same SMS again: a repeat
    Case("declined", "TIDAK {T}, ban bocor juga", "inbox", "state T"),  # new words: a person reads them
    Case("declined", "YA {T}", "inbox", "state T"),  # changed their mind: the coordinator decides
    Case("accepted", "TIDAK", "-", "backing out T"),  # backing out names the task
    Case("accepted", "tidak bisa pak, perahu bocor", "inbox", "backing out T"),
    # --- declining ----------------------------------------------------------------------------------
    Case("offer", "TIDAK {T}", "T declined", "declined alone"),
    Case("offer", "tidak bisa pak, perahu bocor", "T declined", "declined alone", "perahu bocor"),
    Case("offer", "TIDAK {T} motor mogok", "T declined", "declined alone", "motor mogok"),
    Case("offer", "maaf bu gak bisa, lagi di luar kota", "T declined", "declined alone", "lagi di luar kota"),
    Case("offer", "tdk bs", "T declined", "declined alone"),
    Case("offer", "Tolak", "T declined", "declined alone"),
    Case("offer", "ga jadi ya mas... hujan deras", "T declined", "declined alone", "hujan deras"),
    Case("offer", "Nggak bisa {T}, anak saya sakit 😢", "T declined", "declined alone", "anak saya sakit 😢"),
    Case("offer+spare", "TIDAK {T}", "T declined", "declined"),
    Case("offer+spare", "enggak sanggup {t} pak, ban bocor", "T declined", "declined", "ban bocor"),
    Case("accepted", "TIDAK {T} perahu bocor", "T declined", "declined alone", "perahu bocor"),
    Case("accepted+offer", "TIDAK", "U declined", "declined alone"),
    # --- done ---------------------------------------------------------------------------------------
    Case("accepted", "SELESAI {T}", "T done", "done"),
    Case("accepted", "selesai", "T done", "done"),
    Case("accepted", "sudah", "T done", "done"),  # SUDAH alone after an accepted task
    Case("accepted", "sdh beres pak", "T done", "done"),
    Case("accepted", "Sudah selesai pak, terima kasih 🙏", "T done", "done"),
    Case("accepted", "sls {t}", "T done", "done"),
    Case("accepted", "slesai ya bu", "T done", "done"),
    Case("accepted+offer", "SELESAI", "T done", "done"),
    # --- status, several tasks, codes that are not theirs --------------------------------------------
    Case("offer", "STATUS", "-", "status"),
    Case("offer", "cek tugas saya", "-", "status"),
    Case("accepted", "Status?", "-", "status"),
    Case("accepted+offer", "status", "-", "status"),
    Case("two offers", "YA", "-", "ambiguous T U"),
    Case("two offers", "SELESAI", "-", "status"),  # nothing accepted: their tasks' real states
    Case("offer", "YA T99999999", "-", "unknown code"),
    Case("idle", "YA", "-", "no tasks"),
    Case("idle", "STATUS", "-", "no tasks"),
    Case("expired", "ya", "-", "no tasks"),
    # --- opting out and in --------------------------------------------------------------------------
    Case("offer", "BERHENTI", "T declined", "opted out"),
    Case("offer", "stop", "T declined", "opted out"),
    Case("offer", "CANCEL", "T declined", "opted out"),  # Twilio's word, alone
    Case("offer", "berhenti dulu ya", "T declined", "opted out"),
    Case("offer", "yes", "-", "opted in"),  # Twilio's YES alone is START, not YA
    Case("idle", "MULAI lagi", "-", "opted in"),
    # --- strangers: never answered and in the inbox, but a resident's TOLONG (a help request) ----------
    Case("stranger", "YA", "inbox", "none"),
    Case("stranger", "STOP", "inbox", "none"),
    Case("stranger", "TOLONG ada 4 orang terjebak di RT 03 Mungku Baru, ada lansia", "-", "help requested"),
    Case("stranger", "Pak ini nomor siapa ya?", "inbox", "none"),
]

WORLDS = ("offer", "offer+spare", "accepted", "accepted+offer", "two offers", "expired", "declined", "idle",
          "stranger")
