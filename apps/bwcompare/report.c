/*
 * report.c - bwc-report, the arithmetic of bwcompare: splits a bwc-relay
 * trace into the steps of a workload (from thin-client `checkpoint` lines)
 * and summarizes many runs into a table, CSV, JSON and gnuplot chart.
 *
 *   bwc-report now          CLOCK_MONOTONIC in microseconds
 *   bwc-report header       the CSV header of `split`
 *   bwc-report split --trace F --checkpoints F --model M --rtt MS --bw MBIT --run N
 *   bwc-report summarize --raw RAW.csv --out DIR
 *
 * Checkpoints file (written by the driver), in time order:
 *   phase NAME T_US                   a thin-client is started
 *   checkpoint NAME T_US PRESENT_US   from thin-client's stdout
 *   unavailable STEP                  the model cannot do STEP
 * A checkpoint "STEP.N" starts one user action of STEP; the action lasts
 * until the next checkpoint, and "end" closes the phase. An action's
 * completion time runs from its checkpoint (or from the start of the phase
 * for a phase's first action: connecting is part of it) to the last screen
 * change seen before the next checkpoint (PRESENT_US of that checkpoint).
 * Its traffic is what the relay read from its checkpoint to the next; the
 * first action of a phase also gets what crossed since the previous "end"
 * (connection set-up, syncs between phases). A step sums its actions.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_CP    4096
#define MAX_STEPS 64
#define MAX_ROWS  8192
#define NAME_MAX_ 48

struct cp {
	char kind;            /* 'p' phase, 'c' checkpoint, 'u' unavailable */
	char name[NAME_MAX_]; /* step name (before the dot) */
	uint64_t t, present;
};

struct metrics {
	double up, down, msgs, rts, time_ms;
};

struct step {
	char name[NAME_MAX_];
	bool available;
	struct metrics m;
};

struct row {
	char model[8], step[NAME_MAX_];
	int rtt, run;
	double bw;
	bool available;
	struct metrics m;
};

static const char header[] =
    "model,rtt_ms,bw_mbit,run,step,available,bytes_up,bytes_down,messages,round_trips,time_ms";

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const char *arg(int argc, char **argv, const char *name)
{
	for (int i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return NULL;
}

static int load_checkpoints(const char *path, struct cp *v, int max)
{
	FILE *f = fopen(path, "r");
	char line[512], kind[16], name[NAME_MAX_];
	unsigned long long t, p;
	int n = 0;
	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		int k = sscanf(line, "%15s %47s %llu %llu", kind, name, &t, &p);
		if (k < 2)
			continue;
		struct cp *c = &v[n];
		*c = (struct cp){.kind = kind[0], .t = k > 2 ? t : 0, .present = k > 3 ? p : 0};
		name[strcspn(name, ".")] = '\0';
		snprintf(c->name, sizeof(c->name), "%s", name);
		if (!strcmp(kind, "phase") || !strcmp(kind, "checkpoint") ||
		    !strcmp(kind, "unavailable"))
			n++;
	}
	fclose(f);
	return n;
}

static struct step *step_get(struct step *s, int *n, const char *name)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(s[i].name, name))
			return &s[i];
	if (*n == MAX_STEPS)
		return NULL;
	s[*n] = (struct step){.available = true};
	snprintf(s[*n].name, sizeof(s[*n].name), "%s", name);
	return &s[(*n)++];
}

/* Adds the trace lines with from <= T < to to @m. */
static void add_traffic(FILE *trace, uint64_t from, uint64_t to, struct metrics *m)
{
	char line[256], what[16];
	unsigned long long t;
	unsigned long long bytes;
	int newmsg, rt;
	rewind(trace);
	while (fgets(line, sizeof(line), trace)) {
		int k = sscanf(line, "%llu %*s %15s %llu %d %d", &t, what, &bytes, &newmsg, &rt);
		if (k < 2 || t < from || t >= to)
			continue;
		if (k == 5 && (what[0] == 'u' || what[0] == 'd')) {
			*(what[0] == 'u' ? &m->up : &m->down) += (double)bytes;
			m->msgs += newmsg;
			m->rts += rt;
		} else if (!strcmp(what, "open")) {
			m->rts += 1; /* the TCP handshake */
		}
	}
}

static int split(int argc, char **argv)
{
	const char *tp = arg(argc, argv, "--trace"), *cpp = arg(argc, argv, "--checkpoints");
	const char *model = arg(argc, argv, "--model"), *rtt = arg(argc, argv, "--rtt");
	const char *bw = arg(argc, argv, "--bw"), *run = arg(argc, argv, "--run");
	static struct cp cp[MAX_CP];
	struct step steps[MAX_STEPS];
	int nsteps = 0, n;
	if (!tp || !cpp || !model || !rtt || !bw || !run)
		return fputs("bwc-report split: missing option\n", stderr), 2;
	FILE *trace = fopen(tp, "r");
	if (!trace || (n = load_checkpoints(cpp, cp, MAX_CP)) < 0) {
		fprintf(stderr, "bwc-report: cannot read %s or %s\n", tp, cpp);
		if (trace)
			fclose(trace);
		return 1;
	}
	uint64_t data_from = 0, phase_start = 0;
	bool first = true;
	for (int i = 0; i < n; i++) {
		struct cp *c = &cp[i];
		if (c->kind == 'p') {
			phase_start = c->t;
			first = true;
			continue;
		}
		struct step *s = strcmp(c->name, "end") ? step_get(steps, &nsteps, c->name) : NULL;
		if (c->kind == 'u') {
			if (s)
				s->available = false;
			continue;
		}
		if (!s) { /* "end" */
			data_from = c->t;
			continue;
		}
		if (i + 1 >= n || cp[i + 1].kind != 'c') {
			fprintf(stderr,
			        "bwc-report: %s: checkpoint %s is not followed by another "
			        "(phases end with 'checkpoint end')\n",
			        cpp, c->name);
			fclose(trace);
			return 1;
		}
		uint64_t start = first && phase_start ? phase_start : c->t;
		uint64_t done = cp[i + 1].present;
		add_traffic(trace, first ? data_from : c->t, cp[i + 1].t, &s->m);
		s->m.time_ms += done > start ? (double)(done - start) / 1000.0 : 0;
		first = false;
	}
	fclose(trace);
	for (int i = 0; i < nsteps; i++) {
		struct step *s = &steps[i];
		printf("%s,%s,%s,%s,%s,%d,%.0f,%.0f,%.0f,%.0f,%.1f\n", model, rtt, bw, run, s->name,
		       s->available, s->m.up, s->m.down, s->m.msgs, s->m.rts, s->m.time_ms);
	}
	return 0;
}

/* ---- summarize ------------------------------------------------------------ */

static int load_rows(const char *path, struct row *rows, int max)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;
	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		struct row *r = &rows[n];
		int avail;
		if (sscanf(line, "%7[^,],%d,%lf,%d,%47[^,],%d,%lf,%lf,%lf,%lf,%lf", r->model,
		           &r->rtt, &r->bw, &r->run, r->step, &avail, &r->m.up, &r->m.down,
		           &r->m.msgs, &r->m.rts, &r->m.time_ms) == 11) {
			r->available = avail;
			n++;
		}
	}
	fclose(f);
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median over runs of model/rtt/bw/step; false when there is no such row. */
static bool med(const struct row *rows, int n, const char *model, int rtt, double bw,
                const char *step, struct row *out)
{
	static double v[5][MAX_ROWS];
	int k = 0;
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		if (strcmp(r->model, model) || r->rtt != rtt || r->bw != bw ||
		    strcmp(r->step, step))
			continue;
		*out = *r;
		v[0][k] = r->m.up, v[1][k] = r->m.down, v[2][k] = r->m.msgs;
		v[3][k] = r->m.rts, v[4][k] = r->m.time_ms;
		k++;
	}
	if (!k)
		return false;
	out->m = (struct metrics){median(v[0], k), median(v[1], k), median(v[2], k),
	                          median(v[3], k), median(v[4], k)};
	return true;
}

struct lists {
	char steps[MAX_STEPS][NAME_MAX_];
	int nsteps;
	int rtt[32];
	double bw[32];
	int nconf;
};

static void collect(const struct row *rows, int n, struct lists *l)
{
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < n; i++) {
		int j = 0;
		while (j < l->nsteps && strcmp(l->steps[j], rows[i].step))
			j++;
		if (j == l->nsteps && l->nsteps < MAX_STEPS)
			snprintf(l->steps[l->nsteps++], NAME_MAX_, "%s", rows[i].step);
		j = 0;
		while (j < l->nconf && (l->rtt[j] != rows[i].rtt || l->bw[j] != rows[i].bw))
			j++;
		if (j == l->nconf && l->nconf < 32) {
			l->rtt[l->nconf] = rows[i].rtt;
			l->bw[l->nconf++] = rows[i].bw;
		}
	}
}

static const char *const models[2] = {"b", "a"};
static const char *const model_names[2] = {"(b) remote display", "(a) application level"};

static void fmt_cells(FILE *f, bool have, const struct row *r)
{
	if (!have)
		fprintf(f, "  %-38s", "-");
	else if (!r->available)
		fprintf(f, "  %-38s", "unavailable (no link)");
	else
		fprintf(f, "  %7.0f %8.0f %5.0f %5.0f %9.0f", r->m.up, r->m.down, r->m.msgs,
		        r->m.rts, r->m.time_ms);
}

static void add_total(struct metrics *t, const struct row *r)
{
	t->up += r->m.up, t->down += r->m.down, t->msgs += r->m.msgs;
	t->rts += r->m.rts, t->time_ms += r->m.time_ms;
}

static void write_table(FILE *f, const struct row *rows, int n, const struct lists *l)
{
	fprintf(f,
	        "bwcompare: per step, median over runs. Bytes: TCP payload crossing the link\n"
	        "(up: user's machine to server host). msgs: bursts one way; rtts: turn-arounds\n"
	        "plus connection set-ups; time: until the user's screen showed the result (ms).\n"
	        "total: the steps each model could do.\n");
	for (int c = 0; c < l->nconf; c++) {
		struct row tot[2] = {{.available = true}, {.available = true}};
		bool any[2] = {false, false};
		fprintf(f, "\nRTT %d ms, %g Mbit/s\n%-12s", l->rtt[c], l->bw[c], "");
		for (int m = 0; m < 2; m++)
			fprintf(f, "  %-38s", model_names[m]);
		fprintf(f, "\n%-12s", "step");
		for (int m = 0; m < 2; m++)
			fprintf(f, "  %7s %8s %5s %5s %9s", "up B", "down B", "msgs", "rtts",
			        "time ms");
		fputc('\n', f);
		for (int s = 0; s < l->nsteps; s++) {
			fprintf(f, "%-12s", l->steps[s]);
			for (int m = 0; m < 2; m++) {
				struct row r;
				bool have =
				    med(rows, n, models[m], l->rtt[c], l->bw[c], l->steps[s], &r);
				fmt_cells(f, have, &r);
				if (have && r.available)
					add_total(&tot[m].m, &r), any[m] = true;
			}
			fputc('\n', f);
		}
		fprintf(f, "%-12s", "total");
		for (int m = 0; m < 2; m++)
			fmt_cells(f, any[m], &tot[m]);
		fputc('\n', f);
	}
}

static void write_csv_json(FILE *csv, FILE *json, const struct row *rows, int n,
                           const struct lists *l)
{
	bool firstj = true;
	fprintf(csv, "model,rtt_ms,bw_mbit,step,available,bytes_up,bytes_down,messages,"
	             "round_trips,time_ms\n");
	fprintf(json, "{\n  \"units\": {\"bytes\": \"TCP payload\", \"time\": \"ms\"},\n"
	              "  \"statistic\": \"median over runs\",\n  \"rows\": [");
	for (int c = 0; c < l->nconf; c++)
		for (int m = 0; m < 2; m++)
			for (int s = 0; s < l->nsteps; s++) {
				struct row r;
				if (!med(rows, n, models[m], l->rtt[c], l->bw[c], l->steps[s], &r))
					continue;
				fprintf(csv, "%s,%d,%g,%s,%d,%.0f,%.0f,%.0f,%.0f,%.1f\n", r.model,
				        r.rtt, r.bw, r.step, r.available, r.m.up, r.m.down,
				        r.m.msgs, r.m.rts, r.m.time_ms);
				fprintf(
				    json,
				    "%s\n    {\"model\": \"%s\", \"rtt_ms\": %d, \"bw_mbit\": %g, "
				    "\"step\": \"%s\", \"available\": %s, \"bytes_up\": %.0f, "
				    "\"bytes_down\": %.0f, \"messages\": %.0f, \"round_trips\": "
				    "%.0f, "
				    "\"time_ms\": %.1f}",
				    firstj ? "" : ",", r.model, r.rtt, r.bw, r.step,
				    r.available ? "true" : "false", r.m.up, r.m.down, r.m.msgs,
				    r.m.rts, r.m.time_ms);
				firstj = false;
			}
	fprintf(json, "\n  ]\n}\n");
}

/* Chart data: bytes and time per step at one configuration, totals by RTT. */
static void write_chart_data(const char *dir, const struct row *rows, int n, const struct lists *l)
{
	char path[1024];
	int worst = 0;
	for (int c = 1; c < l->nconf; c++)
		if (l->rtt[c] > l->rtt[worst] ||
		    (l->rtt[c] == l->rtt[worst] && l->bw[c] < l->bw[worst]))
			worst = c;
	snprintf(path, sizeof(path), "%s/chart-steps.dat", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "# step  bytes_b bytes_a  time_b_s time_a_s  (RTT %d ms, %g Mbit/s)\n",
	        l->rtt[worst], l->bw[worst]);
	for (int s = 0; s < l->nsteps; s++) {
		struct row r[2];
		double b[2], t[2];
		for (int m = 0; m < 2; m++) {
			bool ok = med(rows, n, models[m], l->rtt[worst], l->bw[worst], l->steps[s],
			              &r[m]);
			ok = ok && r[m].available;
			b[m] = ok ? r[m].m.up + r[m].m.down : -1;
			t[m] = ok ? r[m].m.time_ms / 1000.0 : -1;
		}
		fprintf(f, "%s %.0f %.0f %.3f %.3f\n", l->steps[s], b[0], b[1], t[0], t[1]);
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/chart-totals.dat", dir);
	if (!(f = fopen(path, "w")))
		return;
	fprintf(f, "# rtt_ms bw_mbit  time_b_s time_a_s  bytes_b bytes_a (steps both can do);\n"
	           "# one block per bandwidth, by RTT\n");
	double bws[32];
	int nb = 0;
	for (int c = 0; c < l->nconf; c++) {
		int j = 0;
		while (j < nb && bws[j] != l->bw[c])
			j++;
		if (j == nb)
			bws[nb++] = l->bw[c];
	}
	for (int j = 0; j < nb; j++) {
		int done[32] = {0};
		for (int k = 0; k < l->nconf; k++) {
			int c = -1; /* the smallest RTT not written yet at this bandwidth */
			for (int i = 0; i < l->nconf; i++)
				if (l->bw[i] == bws[j] && !done[i] &&
				    (c < 0 || l->rtt[i] < l->rtt[c]))
					c = i;
			if (c < 0)
				break;
			done[c] = 1;
			struct metrics t[2];
			memset(t, 0, sizeof(t));
			for (int s = 0; s < l->nsteps; s++) { /* steps both models can do */
				struct row r[2];
				bool ok = true;
				for (int m = 0; m < 2; m++)
					ok = ok &&
					     med(rows, n, models[m], l->rtt[c], l->bw[c],
					         l->steps[s], &r[m]) &&
					     r[m].available;
				for (int m = 0; ok && m < 2; m++)
					add_total(&t[m], &r[m]);
			}
			fprintf(f, "%d %g %.3f %.3f %.0f %.0f\n", l->rtt[c], l->bw[c],
			        t[0].time_ms / 1000, t[1].time_ms / 1000, t[0].up + t[0].down,
			        t[1].up + t[1].down);
		}
		fprintf(f, "\n\n");
	}
	fclose(f);
	char labels[2048] = "", unsets[1024] = "";
	for (int s = 0, len = 0, ulen = 0; s < l->nsteps; s++) {
		struct row r;
		if (med(rows, n, "b", l->rtt[worst], l->bw[worst], l->steps[s], &r) &&
		    !r.available && len < (int)sizeof(labels) - 128)
			len += snprintf(
			    labels + len, sizeof(labels) - (size_t)len,
			    "set label %d '(b) unavailable' at %d-0.2, graph 0.04 rotate by 90 "
			    "font 'sans,9' front\n",
			    100 + s, s);
		if (med(rows, n, "a", l->rtt[worst], l->bw[worst], l->steps[s], &r) &&
		    r.available && r.m.up + r.m.down == 0 && len < (int)sizeof(labels) - 128 &&
		    ulen < (int)sizeof(unsets) - 32)
			len += snprintf(
			    labels + len, sizeof(labels) - (size_t)len,
			    "set label %d '(a) 0 bytes' at %d+0.2, graph 0.04 rotate by 90 "
			    "font 'sans,9' front\n",
			    200 + s, s),
			    ulen += snprintf(unsets + ulen, sizeof(unsets) - (size_t)ulen,
			                     "unset label %d\n", 200 + s);
	}
	snprintf(path, sizeof(path), "%s/chart.gp", dir);
	if (!(f = fopen(path, "w")))
		return;
	fprintf(
	    f,
	    "set terminal pngcairo size 1500,520 font 'sans,11'\n"
	    "set output 'chart.png'\n"
	    "set multiplot layout 1,3 title 'bwcompare: calendar workload, (b) remote display vs "
	    "(a) application-level sync' font 'sans,14'\n"
	    "set style data histograms\nset style histogram clustered gap 1\n"
	    "set style fill solid 0.85 border -1\nset boxwidth 0.9\nset grid ytics\n"
	    "set xtics rotate by -35\nset key top left\nset datafile missing '-1'\n"
	    "set title 'bytes per step (up+down, log scale)'\nset logscale y\n%s"
	    "set ylabel 'bytes'\nset yrange [10:*]\n"
	    "plot 'chart-steps.dat' using 2:xtic(1) title '(b) thin client' lc rgb '#d95f02', "
	    "'' using 3 title '(a) agenda sync' lc rgb '#1b9e77'\n"
	    "unset logscale y\nset yrange [0:*]\nset key top right\n%s"
	    "set title sprintf('time per step at RTT %d ms, %g Mbit/s', %d, %g)\n"
	    "set ylabel 'seconds'\n"
	    "plot 'chart-steps.dat' using 4:xtic(1) title '(b) thin client' lc rgb '#d95f02', "
	    "'' using 5 title '(a) agenda sync' lc rgb '#1b9e77'\n"
	    "set style data linespoints\nset xtics norotate autofreq\nunset label\n"
	    "set title 'whole workload (steps both can do): time vs RTT'\nset xlabel 'RTT "
	    "(ms)'\nset ylabel 'seconds'\n"
	    "set xrange [-15:*]\nset offsets 0, 15, 0, 0\nset key top left\n",
	    labels, unsets, l->rtt[worst], l->bw[worst], l->rtt[worst], l->bw[worst]);
	fprintf(f, "plot ");
	for (int j = 0; j < nb; j++)
		fprintf(
		    f,
		    "%s'chart-totals.dat' index %d using 1:3 title '(b) %g Mbit/s' lw 2 dt %d "
		    "pt 7 lc rgb '#d95f02', '' index %d using 1:4 title '(a) %g Mbit/s' lw 2 dt %d "
		    "pt 5 lc rgb '#1b9e77'",
		    j ? ", " : "", j, bws[j], j + 1, j, bws[j], j + 1);
	fprintf(f, "\nunset multiplot\n");
	fclose(f);
}

static FILE *open_in(const char *dir, const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "bwc-report: %s: %s\n", path, strerror(errno));
	return f;
}

static int summarize(int argc, char **argv)
{
	const char *raw = arg(argc, argv, "--raw"), *dir = arg(argc, argv, "--out");
	static struct row rows[MAX_ROWS];
	struct lists l;
	if (!raw || !dir)
		return fputs("bwc-report summarize: missing --raw or --out\n", stderr), 2;
	int n = load_rows(raw, rows, MAX_ROWS);
	if (n <= 0) {
		fprintf(stderr, "bwc-report: no results in %s\n", raw);
		return 1;
	}
	collect(rows, n, &l);
	FILE *t = open_in(dir, "table.txt"), *c = open_in(dir, "results.csv");
	FILE *j = open_in(dir, "results.json");
	if (t)
		write_table(t, rows, n, &l), fclose(t);
	if (c && j)
		write_csv_json(c, j, rows, n, &l);
	if (c)
		fclose(c);
	if (j)
		fclose(j);
	write_chart_data(dir, rows, n, &l);
	return t && c && j ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	if (!strcmp(cmd, "now"))
		return printf("%llu\n", (unsigned long long)now_us()) < 0;
	if (!strcmp(cmd, "header"))
		return puts(header) < 0;
	if (!strcmp(cmd, "split"))
		return split(argc, argv);
	if (!strcmp(cmd, "summarize"))
		return summarize(argc, argv);
	bool help = !strcmp(cmd, "-h") || !strcmp(cmd, "--help");
	if (!help)
		fprintf(stderr,
		        *cmd ? "bwc-report: unknown command '%s'\n" : "bwc-report: no command%s\n",
		        cmd);
	fputs("usage: bwc-report now | header\n"
	      "       bwc-report split --trace F --checkpoints F --model M --rtt MS --bw MBIT "
	      "--run N\n"
	      "       bwc-report summarize --raw RAW.csv --out DIR\n"
	      "The arithmetic of bwcompare (see apps/bwcompare/report.c).\n",
	      help ? stdout : stderr);
	return help ? 0 : 2;
}
