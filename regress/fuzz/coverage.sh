#!/bin/sh
# Line coverage of the parsers by the fuzz corpus (make coverage): the
# harnesses built with clang's source-based coverage into obj/cov (no
# sanitizers), each run once over every input of its committed corpus
# (libFuzzer -runs=0: no fuzzing, so the figures are reproducible), the
# profiles merged with llvm-profdata, then per harness the line
# coverage of the files it exists to test (llvm-cov report), and an
# HTML report of every file under obj/cov/html/index.html.
#
#   regress/fuzz/coverage.sh [-w] [harness...]
#   -w  also run the work corpus obj/fuzz/corpus/NAME (before make
#       fuzz-merge)
set -u
WORK=0
while getopts w opt; do
	case $opt in
	w) WORK=1 ;;
	*) echo "usage: $0 [-w] [harness...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
O=obj/cov
tool() {	# name: llvm-NAME, or its versioned one
	for t in "llvm-$1" "llvm-$1-14" "llvm-$1-15" "llvm-$1-16"; do
		command -v "$t" > /dev/null && { echo "$t"; return; }
	done
	echo "llvm-$1 not found (apt-get install llvm)" >&2
	exit 1
}
PROFDATA=$(tool profdata) || exit 1
COVTOOL=$(tool cov) || exit 1
mkdir -p $O/prof
if ! make -s -j"$(nproc)" O=$O CC=clang COV=1 FUZZ=1 fuzzers \
    > $O/build.log 2>&1; then
	tail -n 40 $O/build.log
	echo "coverage build failed"
	exit 1
fi

# The files each harness exists to test.
files() {
	case $1 in
	apid_node_api)		echo apid/node_api.c ;;
	apid_node_stats)	echo apid/node_stats.c common/metrics.c ;;
	clientd_dispatch)	echo clientd/siblings.c clientd/delivery.c \
				    clientd/auth.c clientd/bandwidth.c \
				    clientd/replies.c clientd/forget.c \
				    clientd/writeback.c clientd/balance.c ;;
	clientd_session)	echo clientd/ws_http.c clientd/ws_conn.c \
				    clientd/session.c clientd/handshake.c \
				    clientd/router.c clientd/forward.c ;;
	common_config)		echo common/config.c common/config_keys.c \
				    common/config_print.c ;;
	common_imsg)		echo common/imsg.c ;;
	common_mixframe)	echo common/mixframe.c common/mixpacket.c \
				    common/nodeaddr.c common/client_crypto.c \
				    common/sphinx_payload.c ;;
	common_noise)		echo common/noise.c common/noise_frame.c ;;
	common_sphinx)		echo common/sphinx.c common/sphinx_payload.c \
				    common/lioness.c ;;
	common_verloc)		echo common/verloc.c ;;
	credd_dispatch)		echo credd/verify.c credd/upgrade.c ;;
	credd_ecash)		echo credd/ecash/bincode.c \
				    credd/ecash/payment.c credd/ecash/vkey.c \
				    credd/ecash/spend.c ;;
	credd_json)		echo credd/ticket.c credd/signers.c \
				    credd/topology.c credd/keyrotation.c \
				    credd/upgrade.c ;;
	mixd_dispatch)		echo mixd/dispatch.c mixd/mix_topology.c \
				    mixd/mix_acks.c ;;
	mixd_inbound)		echo mixd/mix_inbound.c mixd/mix_acks.c \
				    common/replay.c common/mixframe.c ;;
	storaged_dispatch)	echo storaged/requests.c storaged/records.c \
				    storaged/inbox.c storaged/pending.c \
				    storaged/db.c ;;
	*)			ls "${1%%_*}"/*.c ;;
	esac
}

names=$*
if [ -z "$names" ]; then
	for d in regress/fuzz/corpus/*/; do
		d=${d%/}
		names="$names ${d##*/}"
	done
fi
objs=
report=$O/report.txt
printf '%-20s %-28s %7s %7s %7s\n' harness file lines missed cover > $report
rm -f $O/prof/*.profraw
for name in $names; do
	h=$O/regress/fuzz/fuzz_$name
	[ -x "$h" ] || { echo "$name: no harness $h"; continue; }
	dirs=regress/fuzz/corpus/$name
	[ $WORK -eq 1 ] && [ -d obj/fuzz/corpus/$name ] &&
	    dirs="$dirs obj/fuzz/corpus/$name"
	# shellcheck disable=SC2086
	LLVM_PROFILE_FILE=$O/prof/$name.profraw "$h" -runs=0 \
	    -rss_limit_mb=2048 $dirs > $O/run_$name.log 2>&1 ||
	    echo "$name: exited $?, see $O/run_$name.log"
	"$PROFDATA" merge -sparse -o $O/prof/$name.profdata \
	    $O/prof/$name.profraw || continue
	objs="$objs -object $h"
	# shellcheck disable=SC2046
	"$COVTOOL" report "$h" -instr-profile=$O/prof/$name.profdata \
	    $(files "$name") > $O/report_$name.txt 2>&1
	# Filename Regions Missed Cover Functions Missed Cover Lines Missed
	# Cover ...: columns 8-10 are the lines.
	awk -v h="$name" 'NF >= 10 && ($1 ~ /\.c$/ || $1 == "TOTAL") {
		f = $1; sub(/.*\//, "", f)
		if ($1 == "TOTAL") f = "TOTAL"
		printf "%-20s %-28s %7s %7s %7s\n", h, f, $8, $9, $10
	}' $O/report_$name.txt >> $report
done
# One profile for all, one HTML tree for every file the harnesses reach.
"$PROFDATA" merge -sparse -o $O/prof/all.profdata $O/prof/*.profraw
rm -rf $O/html
first=$(echo "$objs" | awk '{ print $2 }')
rest=$(echo "$objs" | sed 's/^ *-object [^ ]*//')
# shellcheck disable=SC2086
"$COVTOOL" show -format=html -output-dir=$O/html \
    -instr-profile=$O/prof/all.profdata -show-line-counts-or-regions \
    -ignore-filename-regex='regress/|blake3|/usr/' "$first" $rest \
    > $O/html.log 2>&1 || echo "llvm-cov show failed, see $O/html.log"
cat $report
echo "HTML: $O/html/index.html"
