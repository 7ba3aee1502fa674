#!/bin/sh
# chart-deps.sh - make sure gnuplot (gnuplot-nox, with the pngcairo terminal)
# is there for bwcompare's chart: as root apt-get installs it, otherwise the
# exact sudo line is printed (the comparison still runs, without the chart).
command -v gnuplot > /dev/null && exit 0
if [ "$(id -u)" -eq 0 ]; then
	echo "compare: installing gnuplot-nox" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox > /dev/null && exit 0
	echo "compare: apt-get install gnuplot-nox failed; no chart" >&2
else
	echo "compare: no gnuplot, no chart; install it with: sudo apt-get install gnuplot-nox" >&2
fi
exit 0
