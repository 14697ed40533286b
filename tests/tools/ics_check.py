"""Parses an iCalendar file with the `icalendar` library and prints what a calendar app would
read of it, as JSON: each event's uid, sequence, status, summary, start (as an instant, in
UTC) and end, and the zones it defines. Exits 1 on anything the library refuses."""
import json
import sys

import icalendar

raw = open(sys.argv[1], "rb").read()
if b"\r\n" not in raw or b"\n" in raw.replace(b"\r\n", b""):
    sys.exit("lines must end with CRLF")
for line in raw.split(b"\r\n"):
    if len(line) > 75:
        sys.exit(f"a line of {len(line)} octets")
cal = icalendar.Calendar.from_ical(raw)
out = {"zones": [str(z["TZID"]) for z in cal.walk("VTIMEZONE")], "events": []}
for e in cal.walk("VEVENT"):
    start = e.decoded("DTSTART")
    end = e.decoded("DTEND")
    as_text = lambda t: t.astimezone(__import__("datetime").timezone.utc).isoformat() if hasattr(t, "hour") else t.isoformat()
    out["events"].append({
        "uid": str(e["UID"]), "sequence": int(e["SEQUENCE"]), "status": str(e["STATUS"]),
        "summary": str(e["SUMMARY"]), "location": str(e.get("LOCATION", "")),
        "start": as_text(start), "end": as_text(end), "rrule": e["RRULE"].to_ical().decode() if "RRULE" in e else None,
    })
print(json.dumps(out))
