#!/usr/bin/python3
"""agenda_corpus.py - real-world .ics files through `agenda`, compared with an
independent implementation (Debian's python3-icalendar to read, python3-dateutil
to expand, zoneinfo and CLDR's windowsZones.xml for zones, python3-vobject to
re-read the export).

For every file: `agenda import`, then for each year in which an event starts,
the occurrences `agenda --json ls --from --to` lists are compared with the ones
this script computes from the original file; then `agenda export` must be
valid (a TZID time has no Z), vobject must read it, every event's DTSTART must
be the same instant as in the original, and the export expanded here must give
the same occurrences again. Floating times and dates are placed in the viewer's
zone ($TZ, set by the caller). Prints one line per file and a summary; exits 1
on a difference not listed in EXPLAINED.

Usage: agenda_corpus.py BINDIR FILE.ics...
"""
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zoneinfo

from dateutil import rrule as du_rrule
from icalendar import Calendar
from icalendar.cal import Timezone
import vobject

CLDR = "/usr/share/unicode/cldr/common/supplemental/windowsZones.xml"

# python3-icalendar 4.0.3 builds a tzinfo for every VTIMEZONE it reads and
# fails on a valid RRULE with UNTIL in one (libical writes those); zones are
# resolved below, by name first, so its cache may simply miss that one.
_to_tz = Timezone.to_tz


def _tolerant_to_tz(self):
    try:
        return _to_tz(self)
    except ValueError:
        return None


Timezone.to_tz = _tolerant_to_tz
UTC = dt.timezone.utc
VIEWER = zoneinfo.ZoneInfo(os.environ.get("TZ", "UTC"))
# (file name, reason): differences between two correct readings of a file
EXPLAINED = {}


def windows_names():
    """Windows zone names (and Outlook's display names) -> IANA."""
    names, display = {}, None
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.parse(CLDR, parser=parser).getroot()
    for node in root.iter():
        if node.tag is ET.Comment:
            text = (node.text or "").strip()
            display = text if text.startswith("(UTC") else display
        elif node.tag == "mapZone" and node.get("territory") == "001":
            names[node.get("other")] = node.get("type")
            if display:
                names[display] = node.get("type")
            display = None
    return names


WINDOWS = windows_names()


def iana(name):
    """The zoneinfo zone named NAME, also behind a /vendor/.../ prefix."""
    parts = name.strip("/").split("/")
    for i in range(len(parts)):
        candidate = "/".join(parts[i:])
        if candidate.upper() in ("UTC", "GMT", "Z", "ETC/UTC", "ETC/GMT"):
            return UTC
        try:
            return zoneinfo.ZoneInfo(candidate)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return None


class When:
    """A DATE or DATE-TIME value: kind is date, float, utc or zone."""

    def __init__(self, raw, tzid, zones):
        raw = raw.split(",")[0].split("/")[0]
        self.zone = None
        if len(raw) == 8:
            self.kind, self.wall = "date", dt.datetime.strptime(raw, "%Y%m%d")
            return
        self.wall = dt.datetime.strptime(raw[:15], "%Y%m%dT%H%M%S")
        if raw.endswith("Z"):
            self.kind, self.zone = "utc", UTC
        elif tzid:
            self.zone = resolve(tzid, zones)
            self.kind = "zone" if self.zone else "float"
        else:
            self.kind = "float"

    def instant(self, wall=None):
        wall = self.wall if wall is None else wall
        if self.kind in ("date", "float"):
            return int(wall.replace(tzinfo=VIEWER).timestamp())
        if hasattr(self.zone, "localize"):  # a VTIMEZONE read by icalendar
            return int(self.zone.localize(wall).timestamp())
        return int(wall.replace(tzinfo=self.zone).timestamp())  # zoneinfo, vobject

    def wall_of(self, instant):
        """The wall time of INSTANT in this value's zone."""
        if self.kind in ("date", "float"):
            return dt.datetime.fromtimestamp(instant, VIEWER).replace(tzinfo=None)
        if hasattr(self.zone, "localize"):
            return dt.datetime.fromtimestamp(instant, self.zone).replace(tzinfo=None)
        return dt.datetime.fromtimestamp(instant, self.zone).replace(tzinfo=None)


def resolve(tzid, zones):
    """IANA first, then CLDR's Windows names, then the file's VTIMEZONE."""
    z = iana(tzid)
    if z is None and tzid in WINDOWS:
        z = iana(WINDOWS[tzid])
    if z is None and tzid in zones:
        comp = zones[tzid]
        loc = comp.get("X-LIC-LOCATION")
        z = iana(str(loc)) if loc else None
        if z is None:
            z = _tolerant_to_tz(comp)
        if z is None:  # python3-icalendar could not: vobject reads it
            cal = "BEGIN:VCALENDAR\r\n" + comp.to_ical().decode() + "END:VCALENDAR\r\n"
            z = vobject.readOne(cal).vtimezone.gettzinfo()
    return z


def prop_values(comp, name):
    """(raw value, TZID) of every value of property NAME of COMP."""
    props = comp.get(name)
    if props is None:
        return []
    if not isinstance(props, list):
        props = [props]
    out = []
    for p in props:
        raw = p.to_ical().decode()
        tzid = p.params.get("TZID") if hasattr(p, "params") else None
        for value in raw.split(","):
            out.append((value, tzid))
    return out


def when_of(comp, name, zones):
    vals = prop_values(comp, name)
    return When(vals[0][0], vals[0][1], zones) if vals else None


def duration_of(comp, start, zones):
    end = when_of(comp, "DTEND", zones)
    if end is not None:
        if "date" in (start.kind, end.kind) or "float" in (start.kind, end.kind):
            d = (end.wall - start.wall).total_seconds()
        else:
            d = end.instant() - start.instant()
    elif comp.get("DURATION") is not None:
        d = comp.decoded("DURATION").total_seconds()
    else:
        d = 86400 if start.kind == "date" else 0
    return max(int(d), 0)


def same_instance(master, wall, start, other):
    if "date" in (master.kind, other.kind):
        return wall.date() == other.wall.date()
    if "float" in (master.kind, other.kind):
        return wall == other.wall
    return start == other.instant()


def end_of(master, wall, start, dur):
    if master.kind != "date":
        return start + dur
    return master.instant(wall + dt.timedelta(days=dur // 86400))


def rule_walls(comp, start, until_wall):
    """The RRULE's instances as wall times in START's zone, up to UNTIL_WALL."""
    raw = comp.get("RRULE").to_ical().decode()
    m = re.search(r"UNTIL=(\d{8}(T\d{6}Z?)?)", raw)
    if m:
        u = m.group(1)
        if u.endswith("Z") and start.kind == "zone":  # an instant: to the zone's wall
            instant = int(dt.datetime.strptime(u, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp())
            u = start.wall_of(instant).strftime("%Y%m%dT%H%M%S")
        raw = raw.replace(m.group(1), u.rstrip("Z"))
    rule = du_rrule.rrulestr(raw, dtstart=start.wall, ignoretz=True)
    walls = []
    for w in rule:
        if w > until_wall or len(walls) > 100000:
            break
        walls.append(w)
    return walls


def occurrences(master, overrides, zones, lo, hi):
    """(start, end, summary) of MASTER's occurrences overlapping [LO, HI)."""
    out = []
    start = when_of(master, "DTSTART", zones) if master is not None else None
    moved = []
    for o in overrides:
        rid = when_of(o, "RECURRENCE-ID", zones)
        if rid is not None:
            moved.append((rid, o))
    if start is not None:
        dur = duration_of(master, start, zones)
        walls = [start.wall]
        if master.get("RRULE") is not None:
            walls = rule_walls(master, start, start.wall_of(hi) + dt.timedelta(days=2))
        for raw, tzid in prop_values(master, "RDATE"):
            w = When(raw, tzid, zones)
            if w.kind != start.kind and "date" not in (w.kind, start.kind) and start.kind != "float":
                walls.append(start.wall_of(w.instant()))
            else:
                walls.append(w.wall)
        ex = [When(raw, tzid, zones) for raw, tzid in prop_values(master, "EXDATE")]
        for w in walls:
            s = start.instant(w)
            if any(same_instance(start, w, s, e) for e in ex):
                continue
            if any(same_instance(start, w, s, rid) for rid, _ in moved):
                continue
            out.append((s, end_of(start, w, s, dur), str(master.get("SUMMARY", ""))))
    for rid, o in moved:
        if str(o.get("STATUS", "")).upper() == "CANCELLED":
            continue
        os_ = when_of(o, "DTSTART", zones) or rid
        if o.get("DTEND") is not None or o.get("DURATION") is not None:
            dur = duration_of(o, os_, zones)
        elif master is not None and start is not None:
            dur = duration_of(master, start, zones)
        else:
            dur = 0
        s = os_.instant()
        out.append((s, end_of(os_, os_.wall, s, dur), str(o.get("SUMMARY", ""))))
    return [x for x in out if x[0] < hi and (x[1] > lo or (x[1] == x[0] and x[0] >= lo))]


def read_calendar(text):
    """Every component of TEXT (several VCALENDARs, bare VEVENTs)."""
    comps = Calendar.from_ical(text, multiple=True)
    events, zones = [], {}
    for c in comps:
        for sub in c.walk():
            if sub.name == "VTIMEZONE" and sub.get("TZID") is not None:
                zones[str(sub.get("TZID"))] = sub
            elif sub.name == "VEVENT":
                events.append(sub)
    return events, zones


def group(events):
    """uid -> (master, [overrides]); masters without DTSTART left out."""
    by_uid = {}
    for i, e in enumerate(events):
        uid = str(e.get("UID", "(no uid %d)" % i))
        master, overrides = by_uid.get(uid, (None, []))
        if e.get("RECURRENCE-ID") is not None:
            overrides.append(e)
        elif e.get("DTSTART") is not None:
            master = e
        by_uid[uid] = (master, overrides)
    return by_uid


def reference(text, lo, hi):
    events, zones = read_calendar(text)
    out = []
    for master, overrides in group(events).values():
        out += occurrences(master, overrides, zones, lo, hi)
    return sorted(out)


def years(text):
    events, zones = read_calendar(text)
    ys = set()
    for master, _ in group(events).values():
        if master is not None:
            y = when_of(master, "DTSTART", zones).wall.year
            ys.add(y)
            ys.add(y + 3)  # years after the start: the expansion skips to them
    return sorted(ys)[:6]


def agenda(bindir, db, *args):
    return subprocess.run([os.path.join(bindir, "agenda"), "--db", db] + list(args),
                          capture_output=True, text=True, timeout=120)


def ours(bindir, db, year):
    r = agenda(bindir, db, "--json", "ls", "--from", "%d-01-01" % year, "--to", "%d-01-01" % (year + 1))
    if r.returncode:
        raise RuntimeError("agenda ls: " + r.stderr)
    return sorted((o["start"], o["end"], o["title"]) for o in json.loads(r.stdout))


def window(year):
    lo = int(dt.datetime(year, 1, 1, tzinfo=VIEWER).timestamp())
    return lo, int(dt.datetime(year + 1, 1, 1, tzinfo=VIEWER).timestamp())


def compare(name, want, got, where):
    """Differences between two occurrence lists (titles are not compared:
    an override's title may legitimately be the master's)."""
    w = sorted((s, e) for s, e, _ in want)
    g = sorted((s, e) for s, e, _ in got)
    if w == g:
        return []
    missing = [x for x in want if (x[0], x[1]) not in g]
    extra = [x for x in got if (x[0], x[1]) not in w]
    return ["%s: %s: missing %s, extra %s" % (name, where, missing[:3], extra[:3])]


def check_export(name, text, export, lo, hi):
    problems = []
    bad = re.findall(r"^[A-Z-]+;[^:\r\n]*TZID=[^:\r\n]*:\d{8}T\d{6}Z", export, re.M)
    if bad:
        problems.append("%s: export has a TZID time with Z: %s" % (name, bad[0]))
    events, zones = read_calendar(text)
    originals = {uid: m for uid, (m, _) in group(events).items() if m is not None}
    for cal in vobject.readComponents(export):
        for ev in cal.vevent_list:
            if hasattr(ev, "recurrence_id"):
                continue
            uid = ev.uid.value
            if uid not in originals:
                continue
            start = when_of(originals[uid], "DTSTART", zones)
            v = ev.dtstart.value
            if isinstance(v, dt.datetime):
                mine = int((v if v.tzinfo else v.replace(tzinfo=VIEWER)).timestamp())
            else:
                mine = int(dt.datetime(v.year, v.month, v.day, tzinfo=VIEWER).timestamp())
            if mine != start.instant():
                problems.append("%s: %s: DTSTART re-read by vobject %d, original %d" %
                                (name, uid, mine, start.instant()))
    return problems


def run_file(bindir, path, tmp):
    name = os.path.relpath(path)
    text = open(path, encoding="utf-8", errors="replace").read()
    db = os.path.join(tmp, re.sub(r"\W", "_", name) + ".db")
    # only init creates a replica (no server is contacted here)
    agenda(bindir, db, "init", "--server", "127.0.0.1:1", "--user", "corpus",
           "--token", "0123456789abcdef0123456789abcdef", "--agenda", "corpus")
    imp = agenda(bindir, db, "--json", "import", path)
    counts = json.loads(imp.stdout.splitlines()[0]) if imp.stdout.strip() else {}
    problems, compared = [], 0
    export = agenda(bindir, db, "export").stdout
    try:
        ys = years(text)
    except (ValueError, TypeError, KeyError) as e:  # the reference cannot read it
        return 0, 0, [], dict(counts, unreadable=str(e)[:80])
    for year in ys:
        lo, hi = window(year)
        want = reference(text, lo, hi)
        problems += compare(name, want, ours(bindir, db, year), "occurrences in %d" % year)
        problems += compare(name, want, reference(export, lo, hi), "export in %d" % year)
        compared += len(want)
        problems += check_export(name, text, export, lo, hi) if year == ys[0] else []
    events = counts.get("added", 0) + counts.get("updated", 0) + counts.get("unchanged", 0)
    return events, compared, problems, counts


def main():
    bindir, files = sys.argv[1], sys.argv[2:]
    total = {"files": 0, "events": 0, "occurrences": 0, "differences": 0, "explained": 0,
             "unreadable": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            events, compared, problems, counts = run_file(bindir, path, tmp)
            total["files"] += 1
            if "unreadable" in counts:
                total["unreadable"] += 1
                print("%-70s python3-icalendar cannot read it (%s); agenda imported %d events" %
                      (os.path.relpath(path), counts["unreadable"], counts.get("added", 0)))
                continue
            total["events"] += events
            total["occurrences"] += compared
            skipped = counts.get("skipped_tasks", 0) + counts.get("skipped_journals", 0)
            skipped += counts.get("skipped_other", 0)
            print("%-70s %3d events %4d occurrences %d skipped (not events) %d refused %s" %
                  (os.path.relpath(path), events, compared, skipped, counts.get("refused", 0),
                   "ok" if not problems else "%d DIFFERENCES" % len(problems)))
            for p in problems:
                reason = EXPLAINED.get(os.path.basename(path))
                total["explained" if reason else "differences"] += 1
                print("    " + p + ("  [explained: %s]" % reason if reason else ""))
    print("corpus (viewer zone %s): %d files (%d the reference cannot read), %d events, "
          "%d occurrences compared, %d differences, %d explained" %
          (VIEWER.key, total["files"], total["unreadable"], total["events"],
           total["occurrences"], total["differences"], total["explained"]))
    return 1 if total["differences"] else 0


if __name__ == "__main__":
    sys.exit(main())
