/*
 * tz.c - time zones (SYNC.md section 4). A TZID is resolved as an IANA name
 * (also behind a "/vendor/.../Area/City" prefix), else as a Windows zone
 * name through CLDR's windowsZones.xml (Debian unicode-cldr-core, read once
 * at run time; Outlook's "(UTC+01:00) Amsterdam, ..." display names come
 * from the comments of the same file), else through the VTIMEZONE the file
 * gave. Conversions go through UTC because libical 3.0.16's
 * icaltime_from_timet_with_zone() returns local wall time labelled UTC.
 */
#include "agenda_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define CLDR_WINDOWS_ZONES "/usr/share/unicode/cldr/common/supplemental/windowsZones.xml"

struct win_zone {
	char *name, *iana;
};

static struct {
	bool loaded;
	struct win_zone *v;
	size_t n, cap;
} win;

/* Zones built from VTIMEZONE texts, by hash: kept for the process. */
struct tz_cached {
	char hash[17];
	icaltimezone *zone;
	char iana[64];
};
static struct {
	struct tz_cached *v;
	size_t n, cap;
} cache;

/* ---- CLDR windowsZones.xml ------------------------------------------------------ */

/* Copies the value of attribute ATTR of the XML element at S into BUF. */
static bool xml_attr(const char *s, const char *attr, char *buf, size_t len)
{
	char pat[32];
	snprintf(pat, sizeof(pat), " %s=\"", attr);
	const char *p = strstr(s, pat), *q;
	if (!p || !(q = strchr(p += strlen(pat), '"')) || (size_t)(q - p) >= len)
		return false;
	memcpy(buf, p, (size_t)(q - p));
	buf[q - p] = 0;
	return true;
}

static void win_add(const char *name, const char *iana)
{
	if (ag_grow(&win.v, &win.cap, win.n + 1, sizeof(*win.v)))
		return;
	struct win_zone *z = &win.v[win.n];
	z->name = strdup(name);
	z->iana = strdup(iana);
	if (z->name && z->iana) {
		win.n++;
		return;
	}
	free(z->name);
	free(z->iana);
}

/* One line of the file: a comment naming the display form of the next
 * group, or a territory 001 mapping (the zone for the Windows name). */
static void win_line(const char *line, char *display, size_t dlen)
{
	char other[128], terr[16], type[128];
	const char *c = strstr(line, "<!-- (UTC");
	if (c) {
		snprintf(display, dlen, "%s", c + 5);
		char *e = strstr(display, " -->");
		if (e)
			*e = 0;
		return;
	}
	if (!strstr(line, "<mapZone") || !xml_attr(line, "other", other, sizeof(other)) ||
	    !xml_attr(line, "territory", terr, sizeof(terr)) || strcmp(terr, "001") ||
	    !xml_attr(line, "type", type, sizeof(type)))
		return;
	win_add(other, type);
	if (display[0])
		win_add(display, type);
	display[0] = 0;
}

static void win_load(void)
{
	const char *path = getenv("AGENDA_WINDOWS_ZONES");
	char line[512], display[256] = "";
	win.loaded = true;
	FILE *f = fopen(path && *path ? path : CLDR_WINDOWS_ZONES, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		win_line(line, display, sizeof(display));
	fclose(f);
}

const char *ag_tz_windows(const char *name)
{
	if (!win.loaded)
		win_load();
	for (size_t i = 0; i < win.n; i++)
		if (!strcasecmp(win.v[i].name, name))
			return win.v[i].iana;
	return NULL;
}

/* ---- lookup --------------------------------------------------------------------- */

static bool is_utc_name(const char *s)
{
	static const char *const names[] = {"UTC", "GMT", "Z", "Etc/UTC", "Etc/GMT", "UCT", "Zulu"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(s, names[i]))
			return true;
	return false;
}

/* An IANA name, also behind a "/vendor/.../" prefix. */
static icaltimezone *iana_zone(const char *tzid, char *iana, size_t len)
{
	for (const char *p = tzid; p && *p; p = strchr(p + 1, '/')) {
		const char *name = *p == '/' ? p + 1 : p;
		if (!*name)
			break;
		icaltimezone *z = is_utc_name(name) ? icaltimezone_get_utc_timezone()
		                                    : icaltimezone_get_builtin_timezone(name);
		if (z) {
			if (iana)
				snprintf(iana, len, "%s", is_utc_name(name) ? "UTC" : name);
			return z;
		}
	}
	return NULL;
}

static icaltimezone *vtimezone_zone(const char *text, char *iana, size_t len)
{
	char hash[17];
	ag_hash_hex(text, strlen(text), hash);
	for (size_t i = 0; i < cache.n; i++)
		if (!strcmp(cache.v[i].hash, hash)) {
			if (iana)
				snprintf(iana, len, "%s", cache.v[i].iana);
			return cache.v[i].zone;
		}
	icalcomponent *c = icalparser_parse_string(text);
	if (c && icalcomponent_isa(c) != ICAL_VTIMEZONE_COMPONENT) {
		icalcomponent *inner =
		    icalcomponent_get_first_component(c, ICAL_VTIMEZONE_COMPONENT);
		inner = inner ? icalcomponent_new_clone(inner) : NULL;
		icalcomponent_free(c);
		c = inner;
	}
	icaltimezone *z = c ? icaltimezone_new() : NULL;
	if (!z || !icaltimezone_set_component(z, c) ||
	    ag_grow(&cache.v, &cache.cap, cache.n + 1, sizeof(*cache.v))) {
		if (z)
			icaltimezone_free(z, 1);
		else if (c)
			icalcomponent_free(c);
		icalerror_clear_errno();
		return NULL;
	}
	struct tz_cached *e = &cache.v[cache.n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->hash, hash, sizeof(hash));
	e->zone = z;
	if (iana)
		snprintf(iana, len, "%s", "");
	return z;
}

/* The last names looked up (libical's builtin lookup is a linear search,
 * and a file names the same zone thousands of times). */
static struct {
	char tzid[128], iana[64];
	icaltimezone *zone;
} recent[8];
static unsigned recent_next;

static icaltimezone *named_zone(const char *tzid, char *iana, size_t len)
{
	for (unsigned i = 0; i < 8; i++)
		if (recent[i].zone && !strcmp(recent[i].tzid, tzid)) {
			if (iana)
				snprintf(iana, len, "%s", recent[i].iana);
			return recent[i].zone;
		}
	char found[64] = "";
	icaltimezone *z = iana_zone(tzid, found, sizeof(found));
	const char *w = z ? NULL : ag_tz_windows(tzid);
	if (w)
		z = iana_zone(w, found, sizeof(found));
	if (z && strlen(tzid) < sizeof(recent[0].tzid)) {
		unsigned k = recent_next++ % 8;
		snprintf(recent[k].tzid, sizeof(recent[k].tzid), "%s", tzid);
		snprintf(recent[k].iana, sizeof(recent[k].iana), "%s", found);
		recent[k].zone = z;
	}
	if (iana)
		snprintf(iana, len, "%s", found);
	return z;
}

icaltimezone *ag_tz_lookup(const char *tzid, const char *vtimezone, char *iana, size_t len)
{
	if (iana && len)
		iana[0] = 0;
	if (!tzid || !*tzid)
		return NULL;
	icaltimezone *z = named_zone(tzid, iana, len);
	if (!z && vtimezone && *vtimezone) {
		/* a VTIMEZONE that names its IANA zone (libical, Mozilla) */
		const char *loc = strstr(vtimezone, "X-LIC-LOCATION:");
		char name[128];
		if (loc && sscanf(loc + 15, "%127[^\r\n]", name) == 1)
			z = iana_zone(name, iana, len);
		if (!z)
			z = vtimezone_zone(vtimezone, iana, len);
	}
	icalerror_clear_errno();
	return z;
}

/* ---- conversions ------------------------------------------------------------------- */

struct icaltimetype ag_tz_from_unix(int64_t t, icaltimezone *z)
{
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	struct icaltimetype tt = icaltime_from_timet_with_zone((time_t)t, 0, utc);
	if (!z) {
		struct tm tm;
		time_t tm_t = (time_t)t;
		localtime_r(&tm_t, &tm);
		tt = icaltime_null_time();
		tt.year = tm.tm_year + 1900;
		tt.month = tm.tm_mon + 1;
		tt.day = tm.tm_mday;
		tt.hour = tm.tm_hour;
		tt.minute = tm.tm_min;
		tt.second = tm.tm_sec;
		return tt;
	}
	if (z != utc)
		icaltimezone_convert_time(&tt, utc, z);
	tt.zone = z;
	return tt;
}

int64_t ag_tz_to_unix(struct icaltimetype t, icaltimezone *z)
{
	if (z && !t.is_date)
		return (int64_t)icaltime_as_timet_with_zone(t, z);
	struct tm tm = {0};
	tm.tm_year = t.year - 1900;
	tm.tm_mon = t.month - 1;
	tm.tm_mday = t.day;
	if (!t.is_date) {
		tm.tm_hour = t.hour;
		tm.tm_min = t.minute;
		tm.tm_sec = t.second;
	}
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* ---- the user's zone -------------------------------------------------------------- */

static const char *zone_from_path(const char *path, char *buf, size_t len)
{
	const char *p = strstr(path, "zoneinfo/");
	if (!p)
		return NULL;
	p += 9;
	if (!strncmp(p, "posix/", 6) || !strncmp(p, "right/", 6))
		p += 6;
	if (!iana_zone(p, buf, len))
		return NULL;
	return buf;
}

const char *ag_user_zone(char *buf, size_t len)
{
	const char *tz = getenv("TZ");
	char link[PATH_MAX];
	if (tz) {
		if (*tz == ':')
			tz++;
		if (!*tz || is_utc_name(tz) || !strcmp(tz, "UTC0") || !strcmp(tz, "GMT0"))
			return snprintf(buf, len, "UTC"), buf;
		if (*tz == '/')
			return zone_from_path(tz, buf, len) ? buf
			                                    : (snprintf(buf, len, "UTC"), buf);
		if (iana_zone(tz, buf, len))
			return buf;
		/* a POSIX rule such as CET-1CEST names no zone: local wall time */
		return snprintf(buf, len, "floating"), buf;
	}
	ssize_t n = readlink("/etc/localtime", link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = 0;
		if (zone_from_path(link, buf, len))
			return buf;
	}
	FILE *f = fopen("/etc/timezone", "r");
	char name[128];
	if (f && fscanf(f, "%127s", name) == 1 && iana_zone(name, buf, len)) {
		fclose(f);
		return buf;
	}
	if (f)
		fclose(f);
	return snprintf(buf, len, "UTC"), buf;
}
