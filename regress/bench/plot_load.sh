#!/bin/sh
# Throughput against p99 added latency from bench_clientd's CSV: an SVG
# to look at, and the same curve drawn in the terminal for the log.
#   plot_load.sh load.csv load.svg
set -u
CSV=$1
SVG=$2
if ! command -v gnuplot > /dev/null 2>&1; then
	echo "plot: gnuplot not installed (make deps); CSV in $CSV"
	exit 0
fi
dir=$(dirname "$SVG")
for p in delivery forward; do
	awk -F, -v p="$p" '$1 == p && $3 > 0 { print $4, $6 }' "$CSV" \
	    > "$dir/load-$p.dat"
done
plot='plot "'$dir'/load-delivery.dat" using 1:2 with linespoints title "delivery (mix port -> client)", "'$dir'/load-forward.dat" using 1:2 with linespoints title "forward (client -> first hop)"'
gnuplot <<GP
set terminal svg size 800,500
set output "$SVG"
set title "gatewayd: p99 added latency against throughput ($(nproc) CPUs)"
set xlabel "packets/s"
set ylabel "p99 latency (ms)"
set key top left
set grid
$plot
GP
echo "plot: $SVG"
gnuplot <<GP
set terminal dumb size 79,24
set title "p99 ms against packets/s"
set key top left
$plot
GP
