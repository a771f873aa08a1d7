#!/bin/sh
# credd resolves nym-api's host name whatever the host's name service
# says (issue 19).  The whole daemon runs in a private mount and network
# namespace under five nsswitch.conf "hosts" lines; four of them make
# glibc dlopen() a module on a name lookup (checked with getent first,
# so the set-up that killed credd is really there), which credd's
# sandbox would kill it for.  nym-api's name comes from /etc/hosts in
# the namespace; the upgrade-mode attestation keeps its default host,
# which only DNS could give (and here cannot).  Then a name only DNS knows: it fails with a clear
# error and is retried while resolv.conf names a dead server, and
# resolves, without a restart, once resolv.conf names a live one.
#
# The modules come from Debian's packages, unpacked into obj/ (never
# installed: their maintainer scripts would rewrite this machine's
# nsswitch.conf) and found through a namespace-only ld.so.cache.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

MODS=$TOP/obj/nss-modules
NSS_PKGS="libnss-myhostname libnss-resolve libnss-mdns"

# Unpack the modules once per tree; 0 if they are there.
nss_modules() {
	[ -f "$MODS/ld.so.cache" ] && return 0
	_t=$(mktemp -d /tmp/gwnssdl.XXXXXX)
	chmod 755 "$_t"
	( cd "$_t" && apt-get download $NSS_PKGS ) >"$_t/log" 2>&1 ||
	    { apt-get update -qq >/dev/null 2>&1 &&
	    ( cd "$_t" && apt-get download $NSS_PKGS ) >"$_t/log" 2>&1; } ||
	    { NSS_WHY=$(tail -1 "$_t/log"); rm -rf "$_t"; return 1; }
	mkdir -p "$MODS/lib"
	for deb in "$_t"/*.deb; do dpkg -x "$deb" "$_t/x"; done
	find "$_t/x" -name 'libnss_*.so.2' -exec cp {} "$MODS/lib/" \;
	chmod -R a+rX "$MODS"
	rm -rf "$_t"
	ldconfig -C "$MODS/ld.so.cache" "$MODS/lib" 2>/dev/null
	[ -f "$MODS/ld.so.cache" ] || { NSS_WHY="ldconfig failed"; return 1; }
}

# topology_fetches_ge PORT N: the stub answered N rewarded-set requests.
topology_fetches_ge() {
	$STUB get "$1" _calls | python3 -c '
import json, sys
n = sum(1 for c in json.load(sys.stdin) if c["path"].endswith("rewarded-set"))
sys.exit(n < int(sys.argv[1]))' "$2"
}

# Inside the namespaces: $1 the hosts line, $2 the module it loads (or
# "none"), $3 "dnschange" for the resolv.conf case.
in_namespace() {
	line=$1 module=$2 case=${3:-}
	ip link set lo up
	D=$(mktemp -d /tmp/gwnss.XXXXXX)
	chmod 755 "$D"
	printf 'passwd: files\ngroup: files\nshadow: files\nhosts: %s\n' \
	    "$line" > "$D/nsswitch.conf"
	printf '127.0.0.1 localhost\n127.0.0.1 nymapi.test\n' > "$D/hosts"
	printf 'nameserver 127.0.0.2\noptions timeout:1 attempts:1\n' \
	    > "$D/resolv.conf"
	chmod 644 "$D"/*
	for f in nsswitch.conf hosts resolv.conf; do
		mount --bind "$D/$f" "/etc/$f"
	done
	[ -f "$MODS/ld.so.cache" ] &&
	    mount --bind "$MODS/ld.so.cache" /etc/ld.so.cache
	tag="hosts: $line"
	[ -n "$case" ] && tag="resolv.conf changed, $tag"

	loaded=$(LD_DEBUG=files getent hosts nymapi.test 2>&1 |
	    grep -o 'libnss_[a-z0-9_]*\.so' | sort -u | tr '\n' ' ')
	if [ -z "$case" ]; then
		if [ "$module" = none ]; then
			[ -z "$loaded" ] &&
			    ok "$tag: glibc loads no module here" ||
			    notok "$tag: glibc loads no module" "$loaded"
		else
			echo "$loaded" | grep -q "libnss_$module.so" &&
			    ok "$tag: glibc itself dlopens libnss_$module here" ||
			    notok "$tag: glibc dlopens libnss_$module" \
			    "loaded: '$loaded'"
		fi
	fi

	stub_start "$D" 1
	port=$STUB_PORTS
	host=nymapi.test
	[ -n "$case" ] && host=dnsonly.test
	gw_setup || { notok "$tag: setup" "gatewayctl init failed"; return; }
	# nym-api by a name /etc/hosts gives; the attestation URL keeps
	# its default, nymtech.net, which no file here knows: glibc would
	# walk the whole hosts line (and dlopen its module) for it.
	sed -i -e "s|\"https://validator.nymtech.net/api/\"|\"http://$host:$port/\"|" \
	    "$GW_CONF"
	# Topology every second: the name is looked up again and again.
	GW_TEST_CREDD_TOPOLOGY_MS=1000 gw_start ||
	    { notok "$tag: daemon starts" "$(tail -5 "$GW_LOG")"; return; }
	cpid=$(gw_pid credd)

	if [ -n "$case" ]; then
		wait_until 15 grep -q 'credd: cannot resolve dnsonly.test: .*will retry' "$GW_LOG" &&
		    ok "$tag: a name DNS cannot give is a clear error" ||
		    notok "$tag: a clear error for a name that does not resolve" \
		    "$(grep credd "$GW_LOG" | tail -3)"
		wait_until 15 counter_ge credd dns_failures 3 &&
		    kill -0 "$cpid" 2>/dev/null &&
		    ok "$tag: the lookup is retried and nothing dies" ||
		    notok "$tag: retried, nothing dies" \
		    "dns_failures $(counter credd dns_failures)"
		python3 "$TOP/regress/lib/stub_dns.py" 127.0.0.3 53 \
		    dnsonly.test=127.0.0.1 >"$D/dns.out" 2>"$D/dns.log" &
		dpid=$!
		wait_until 5 grep -q listening "$D/dns.out"
		printf 'nameserver 127.0.0.3\n' > "$D/resolv.conf"
	fi
	# Two topology rounds: the second from the cache or a new lookup.
	wait_until 20 topology_fetches_ge "$port" 2 &&
	    ok "$tag: credd resolved $host and reached nym-api" ||
	    notok "$tag: credd reached nym-api by name" \
	    "$(grep -E 'credd|lost' "$GW_LOG" | tail -4)"
	[ "$(gw_pid credd)" = "$cpid" ] && kill -0 "$GW_PID" 2>/dev/null &&
	    ! grep -q 'lost child' "$GW_LOG" &&
	    ok "$tag: credd survives and the gateway serves" ||
	    notok "$tag: credd survives" "$(grep lost "$GW_LOG")"
	maps=$(grep -o 'libnss_[a-z0-9_]*' "/proc/$cpid/maps" 2>/dev/null |
	    sort -u | tr '\n' ' ')
	[ -z "$maps" ] && ok "$tag: credd has mapped no NSS module" ||
	    notok "$tag: credd maps no NSS module" "$maps"
	[ -n "$case" ] && kill "$dpid" 2>/dev/null
	gw_stop
	kill "$STUB_PID" 2>/dev/null
	gw_cleanup
	rm -rf "$D"
}

if [ "${1:-}" = --in-namespace ]; then
	shift
	in_namespace "$@"
	t_done
	exit
fi

if [ "$(id -u)" -ne 0 ] || ! unshare -m -n true 2>/dev/null; then
	skip "nsswitch.conf matrix" "needs root and unshare(1) with mount and network namespaces"
	exit 0
fi
gw_users
have_mods=1
nss_modules || have_mods=0

status=0
run_ns() {	# hosts-line module [case]
	unshare -m -n --propagation private sh "$0" --in-namespace "$@" ||
	    status=1
}
run_ns "files dns" none
run_ns "files hesiod dns" hesiod
for v in "files myhostname dns:myhostname" \
    "files resolve [!UNAVAIL=return] dns:resolve" \
    "files mdns4_minimal [NOTFOUND=return] dns:mdns4_minimal"; do
	if [ $have_mods -eq 1 ]; then
		run_ns "${v%%:*}" "${v##*:}"
	else
		skip "hosts: ${v%%:*}" "Debian's $NSS_PKGS not available: $NSS_WHY"
	fi
done
run_ns "files mdns4_minimal [NOTFOUND=return] dns" mdns4_minimal dnschange
exit $status
