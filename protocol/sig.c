/*
 * sig.c - signals read through a file descriptor, the one way the server,
 * the thin client, xp-term and the benchmarks' relay take them: blocked,
 * then read from a signalfd in their poll loop, in order with their other
 * events, never in a handler.
 */
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "xproto.h"

int xp_signal_fd(const int *sigs, size_t n)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	signal(SIGPIPE, SIG_IGN); /* a closed socket is an error, not a signal */
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int xp_signal_next(int fd)
{
	struct signalfd_siginfo si;
	if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}
