/*
 * load.c - see load.h. The hogs are plain forked children spinning in a
 * loop; the pids are kept in a static array so that the exit handler and
 * the signal handler (which only calls kill() and waitpid()) can end them.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "load.h"

#define MAX_HOGS 64

static pid_t hogs[MAX_HOGS];
static int nhogs;
static pid_t owner; /* the process that started them: only it stops them */

static long status_field(pid_t pid, const char *name)
{
	char path[64], line[256];
	long v = -1;
	size_t len = strlen(name);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len))
			v = atol(line + len);
	if (f)
		fclose(f);
	return v;
}

double load_cpu_seconds(pid_t pid)
{
	char path[64];
	unsigned long ut = 0, st = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	/* fields 14 and 15: utime, stime in clock ticks */
	if (fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		ut = st = 0;
	fclose(f);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

long load_peak_rss_kb(pid_t pid)
{
	return status_field(pid, "VmHWM:");
}

long load_sleeps(pid_t pid)
{
	return status_field(pid, "voluntary_ctxt_switches:");
}

double load_average(void)
{
	double l[1];
	return getloadavg(l, 1) == 1 ? l[0] : -1;
}

const char *load_describe(char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "load average %.1f on %ld cores", load_average(),
	                 sysconf(_SC_NPROCESSORS_ONLN));
	if (nhogs > 0 && n > 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, ", %d CPU hogs of ours", nhogs);
	return buf;
}

/* A hog: spin until killed, or until the process that started it is gone. */
static void hog(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) /* it died before prctl */
		_exit(0);
	for (volatile unsigned long i = 0;; i++)
		;
}

void load_hogs_stop(void)
{
	if (getpid() != owner) /* a forked child of the owner ending */
		return;
	for (int i = 0; i < nhogs; i++)
		kill(hogs[i], SIGKILL);
	for (int i = 0; i < nhogs; i++)
		while (waitpid(hogs[i], NULL, 0) < 0 && errno == EINTR)
			;
	nhogs = 0;
}

static void on_signal(int sig)
{
	int saved = errno;
	load_hogs_stop();
	signal(sig, SIG_DFL); /* and end as the signal would have */
	raise(sig);
	errno = saved;
}

int load_hogs_start(int n)
{
	static bool hooked;
	if (n <= 0)
		return 0;
	if (n > MAX_HOGS || nhogs > 0)
		return -1;
	owner = getpid();
	if (!hooked && atexit(load_hogs_stop) != 0)
		return -1;
	hooked = true;
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0)
			hog(owner);
		if (pid < 0) {
			fprintf(stderr, "load: cannot start a CPU hog: %s\n", strerror(errno));
			load_hogs_stop();
			return -1;
		}
		hogs[nhogs++] = pid;
	}
	return nhogs;
}

/* "--hogs N" at @argv[@i]: take it out. Returns N, or -1 when N is bad. */
static int take_option(int *argc, char **argv, int i)
{
	const char *v = i + 1 < *argc ? argv[i + 1] : "";
	char *end;
	long n = strtol(v, &end, 10);
	int used = i + 1 < *argc ? 2 : 1;
	memmove(&argv[i], &argv[i + used], sizeof(char *) * (size_t)(*argc - i - used + 1));
	*argc -= used;
	if (!*v || *end || n < 0 || n > MAX_HOGS) {
		fprintf(stderr, "--hogs wants a number of CPU hogs from 0 to %d, not '%s'\n",
		        MAX_HOGS, v);
		return -1;
	}
	return (int)n;
}

int load_hogs_wanted(int *argc, char **argv)
{
	for (int i = 1; i < *argc; i++)
		if (!strcmp(argv[i], "--hogs"))
			return take_option(argc, argv, i);
	const char *env = getenv("HP_HOGS");
	if (!env || !*env)
		return 0;
	char *end;
	long n = strtol(env, &end, 10);
	if (*end || n < 0 || n > MAX_HOGS) {
		fprintf(stderr, "HP_HOGS wants a number of CPU hogs from 0 to %d, not '%s'\n",
		        MAX_HOGS, env);
		return -1;
	}
	return (int)n;
}
