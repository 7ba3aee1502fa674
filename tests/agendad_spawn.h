/*
 * agendad_spawn.h - a real agendad for the agenda tests and the agendad
 * stress (tests/agenda_harness.h, tests/stress/agendad_stress.c): started
 * with fork/exec on a loopback port of its own (read back from its
 * --port-file, never guessed), its output in a log file. Header only, over
 * tests/proc.h, which the programs that include it link.
 */
#ifndef AGENDAD_SPAWN_H
#define AGENDAD_SPAWN_H

#include "proc.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

/**
 * agendad_spawn - start @bin/agendad on the database @db, listening on
 * 127.0.0.1:@port (0: any free port), with at most 8 more options @extra
 * (NULL-terminated; NULL for none). Its port file is @dir/port; its stdout
 * and stderr go to @log (NULL: inherited).
 * Return: its pid, with the port it listens on in *@port_out; -1 when it
 * could not be started or wrote no port within @timeout_ms (it is then
 * stopped). The caller stops it (proc_stop()).
 */
static inline pid_t agendad_spawn(const char *bin, const char *db, const char *dir, int port,
                                  const char *const *extra, const char *log, int timeout_ms,
                                  int *port_out)
{
	char exe[600], listen[64], portfile[600];
	snprintf(exe, sizeof(exe), "%s/agendad", bin);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(portfile, sizeof(portfile), "%s/port", dir);
	unlink(portfile);
	const char *argv[16] = {exe, "--db", db, "--listen", listen, "--port-file", portfile, NULL};
	for (int i = 0; extra && i < 8 && extra[i]; i++)
		argv[7 + i] = extra[i];
	pid_t pid = proc_spawn(argv, log);
	if (pid <= 0)
		return -1;
	*port_out = proc_port_file(portfile, timeout_ms);
	if (*port_out < 0) {
		proc_stop(pid, SIGKILL, 5000);
		return -1;
	}
	return pid;
}

#endif
