#!/usr/bin/env python3
"""Check an export of the Resilience response log on your own computer.

Standard-library Python 3.8+ only: copy this one file anywhere and run

    python3 verify_export.py audit.jsonl [--anchor SEQ:HASH ...]

(``resilience audit export > audit.jsonl`` or ``GET /api/v1/audit/export`` make the file; the
anchors are audit heads printed on earlier reports). It recomputes every entry's hash,

    hash = SHA-256( UTF-8( prev_hash + JSON(seq, time, actor, action, entity_type, entity_id,
                                            payload) ) )

with JSON keys sorted at every level, no spaces, non-ASCII characters as themselves, and checks
that each entry links to the one before it (the first of the log to 64 zeros), that no seq is
missing or out of order, that the file ends with the head line and agrees with it, and that
every anchor's entry has the anchored hash. An entry marked ``"withheld": true`` (one written
before personal values were sealed, exported for an official with those values held back)
cannot be recomputed: it is checked by its links only, and the verdict counts such entries.
Sealed values (``{"sealed": …}``) need nothing special: the seal itself is what was hashed.
It prints one line — ``OK …`` or
``BROKEN at seq K: …`` naming the first bad entry — and exits 0 or 1 (2 for a usage error).
It deliberately shares no code with the server: it is an independent check.
"""

import argparse
import hashlib
import json
import sys

GENESIS = "0" * 64
HASHED = ("seq", "time", "actor", "action", "entity_type", "entity_id", "payload")
HEX = set("0123456789abcdef")


class Broken(Exception):
    def __init__(self, seq, why):
        super().__init__(f"BROKEN at seq {seq}: {why}")
        self.seq = seq


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash, entry):
    body = {key: entry[key] for key in HASHED}
    return hashlib.sha256((prev_hash + canonical(body)).encode("utf-8")).hexdigest()


def is_hash(text):
    return isinstance(text, str) and len(text) == 64 and set(text) <= HEX


def parse_anchor(text):
    seq, _, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not seq.isdigit() or int(seq) < 1 or not is_hash(digest):
        raise ValueError(f"{text!r}: expected SEQ:HASH, a sequence number and 64 hexadecimal digits")
    return int(seq), digest


def check(lines, anchors=None):
    """Verify the export's lines; return a one-line verdict or raise Broken."""
    anchors = dict(anchors or {})
    prev = expected = first = None
    head = None
    count = withheld = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"line {number}"
        if head is not None:
            raise Broken(expected, f"{where}: text after the head line")
        try:
            record = json.loads(line)
        except ValueError:
            raise Broken(expected if expected is not None else "?", f"{where} is not JSON (a cut or edited file?)")
        if not isinstance(record, dict):
            raise Broken(expected if expected is not None else "?", f"{where} is not a JSON object")
        if "head" in record:
            head = record
            continue
        missing = [key for key in (*HASHED, "prev_hash", "hash") if key not in record]
        seq = record.get("seq")
        if missing or not isinstance(seq, int) or isinstance(seq, bool):
            raise Broken(expected if expected is not None else "?", f"{where} lacks {', '.join(missing) or 'an integer seq'}")
        if expected is None:
            first = expected = seq
            if seq == 1:
                prev = GENESIS
            elif seq - 1 in anchors:  # an anchor just before a partial export checks its first link
                prev = anchors.pop(seq - 1)
            else:
                prev = record["prev_hash"]  # a partial export: its first link is taken as given
        if seq != expected:
            why = f"entry {expected} is missing" if seq > expected else f"seq {seq} out of order"
            raise Broken(expected, f"{where}: {why}")
        if record["prev_hash"] != prev:
            raise Broken(seq, "it does not link to the entry before it (prev_hash differs)")
        if record.get("withheld") is True:
            # Personal data held back (an entry from before seals): its hash cannot be
            # recomputed here; the next entry's prev_hash, the head and anchors still bind it.
            if not is_hash(record["hash"]):
                raise Broken(seq, "a withheld entry without a valid hash")
            withheld += 1
        elif entry_hash(prev, record) != record["hash"]:
            raise Broken(seq, "its content does not match its hash (the entry was edited)")
        if seq in anchors and anchors.pop(seq) != record["hash"]:
            raise Broken(seq, "its hash differs from the anchor (the log was rewritten since)")
        prev, expected, count = record["hash"], seq + 1, count + 1
    if head is None:
        raise Broken(expected if expected is not None else 1, "no head line at the end: the export was cut short")
    info = head.get("head")
    if not isinstance(info, dict) or not isinstance(info.get("seq"), int) or not is_hash(info.get("hash")):
        raise Broken(expected or 1, "the head line is malformed")
    last = expected - 1 if expected is not None else head.get("from_seq", 1) - 1
    to_seq = head.get("to_seq")
    if isinstance(to_seq, int) and last < to_seq:
        raise Broken(last + 1, f"the head line says the export goes to seq {to_seq}; it ends at {last}")
    if last > info["seq"]:
        raise Broken(info["seq"] + 1, f"entries beyond the head (seq {info['seq']})")
    if last == info["seq"] and info["seq"] > 0 and prev != info["hash"]:
        raise Broken(last, "the last entry's hash differs from the head's")
    if anchors:
        seq = min(anchors)
        raise Broken(seq, "an anchored entry is not in this export")
    if count == 0:
        return f"OK: no entries; head seq {info['seq']}"
    partial = "" if first == 1 else f" (a partial export: the link into seq {first} is taken as given)"
    tail = "the head" if last == info["seq"] else f"seq {last} of {info['seq']}"
    held = (f"; {withheld} withheld entries (personal data held back) checked by their links only"
            if withheld else "")
    return f"OK: {count} entries, seq {first}..{last}, up to {tail}, hash {prev}{partial}{held}"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check an export of the Resilience response log (JSON Lines).")
    parser.add_argument("file", help="the export (JSON Lines); - for standard input")
    parser.add_argument("--anchor", action="append", default=[], metavar="SEQ:HASH",
                        help="an entry that must have this hash, e.g. the audit head printed on a report")
    args = parser.parse_args(argv)
    anchors = {}
    for text in args.anchor:
        try:
            seq, digest = parse_anchor(text)
        except ValueError as exc:
            parser.error(str(exc))
        anchors[seq] = digest
    try:
        if args.file == "-":
            stream = open(sys.stdin.fileno(), encoding="utf-8", closefd=False)
        else:
            stream = open(args.file, encoding="utf-8")
    except OSError as exc:
        parser.error(f"cannot read {args.file}: {exc.strerror}")
    try:
        with stream:
            verdict = check(stream, anchors)
    except Broken as exc:
        print(exc)
        return 1
    except UnicodeDecodeError:
        print("BROKEN at seq ?: the file is not UTF-8 text")
        return 1
    print(verdict)
    return 0


if __name__ == "__main__":
    sys.exit(main())
