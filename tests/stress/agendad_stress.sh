#!/bin/sh
# agendad_stress.sh - agendad's part of `make stress` (issue 11): the attacks
# and heavy loads of tests/stress/agendad_stress.c with their figures (peak
# memory, another member's round trips, descriptors, the WAL), then the
# randomized convergence test at length. Usage: agendad_stress.sh BINDIR
set -u
bin=${1:-build/bin}
rc=0
XP_BIN=$bin "$bin/tests/agendad_stress" || rc=1
echo "== randomized convergence, ${AGENDA_STRESS_SEEDS:-100} seeds of 400 operations"
AGENDA_RANDOM_SEEDS=${AGENDA_STRESS_SEEDS:-100} AGENDA_RANDOM_SEED=1000 AGENDA_RANDOM_OPS=400 \
	AGENDA_RANDOM_ALARM=20000 XP_BIN=$bin "$bin/tests/agenda_random_test" 2>&1 |
	grep -E '^(random convergence|seed .*(divergences, [1-9]|lost [1-9]|[1-9][0-9]* lost))|FAILED|PASSED' || rc=1
exit $rc
