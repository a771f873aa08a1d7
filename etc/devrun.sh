#!/bin/sh
# make run: a development gateway in the foreground on 127.0.0.1.
# Creates ./run/ (config, keys, data) on first use; reuses it after.
set -eu
O=${1:-obj}
BIN=$(pwd)/$O/bin
RUN=$(pwd)/run
if [ "$(id -u)" -eq 0 ]; then
	# As root the workers drop to these users (gatewayd.conf(5)).
	for u in _gatewayd _gatewayd-db; do
		id -u "$u" >/dev/null 2>&1 || useradd --system \
		    --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin "$u"
	done
fi
if [ ! -f "$RUN/gatewayd.yaml" ]; then
	"$BIN/gatewayctl" init -D "$RUN"
fi
"$BIN/gatewayctl" -f "$RUN/gatewayd.yaml" node-details
echo "gatewayd: clients ws://127.0.0.1:9000, mix 127.0.0.1:1789," \
    "HTTP 127.0.0.1:8080, verloc 127.0.0.1:1790; Ctrl-C stops it"
exec "$BIN/gatewayd" -d -f "$RUN/gatewayd.yaml"
