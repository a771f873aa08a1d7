#!/bin/sh
# make distcheck: the package from make deb, installed into a fresh
# Debian 12 root made with debootstrap (from the Debian mirror apt uses),
# as an operator would: users, keys, files, "gatewayd -n" on the shipped
# config, the rc script starting and stopping the installed daemon on
# loopback, an upgrade that leaves keys and data alone, then removal and
# purge.  Prints "ok - " / "not ok - " lines and "N passed, N failed".
#
#   DISTCHECK_ROOT=dir   the root (default /var/tmp/gatewayd-distcheck);
#                        made anew each run, removed after unless
#   DISTCHECK_KEEP=1     keeps it
#   DISTCHECK_BUILD=1    then also, in the same root with git and make
#                        added, clone the committed tree and run make
#                        there (it installs the rest), Nym's client
#                        (regress/interop) against that build, make deb
#   DISTCHECK_MIRROR=url Debian mirror (default debootstrap's)
#
# Needs root (debootstrap, chroot); about a minute, three more with
# DISTCHECK_BUILD=1.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || exec sudo DISTCHECK_ROOT="${DISTCHECK_ROOT:-}" \
    DISTCHECK_KEEP="${DISTCHECK_KEEP:-}" \
    DISTCHECK_BUILD="${DISTCHECK_BUILD:-}" \
    DISTCHECK_MIRROR="${DISTCHECK_MIRROR:-}" sh "$0" "$@"
ROOT=${DISTCHECK_ROOT:-/var/tmp/gatewayd-distcheck}
case $ROOT in
/*/*) ;;
*) echo "distcheck: DISTCHECK_ROOT must be an absolute path below /" >&2; exit 1 ;;
esac
LOG=$TOP/obj/deb/distcheck.log
cd "$TOP/obj/deb" 2>/dev/null || { echo "distcheck: run make deb first" >&2; exit 1; }
deb=$(ls gatewayd_*_amd64.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "distcheck: no obj/deb/gatewayd_*.deb" >&2; exit 1; }
ver=$(dpkg-deb -f "$deb" Version)
: > "$LOG"

P=0 F=0
ok()	{ echo "ok - $1"; P=$((P + 1)); }
notok()	{ echo "not ok - $1${2:+: $2}"; F=$((F + 1)); }
# inroot CMD...: run CMD in the root, with a clean environment
inroot() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
# quiet STEP CMD...: run in the root; the output goes to the log and is
# kept in $OUT for checks ("quiet" when it has no warning or error line)
quiet() {
	step=$1; shift
	echo "== $step" >>"$LOG"
	OUT=$(inroot "$@" 2>&1); rc=$?
	printf '%s\n' "$OUT" >>"$LOG"
	return $rc
}
# noisy_lines: the first lines of $OUT that read as a warning or an
# error (apt's E: and W:, "warning:", "error", "failed", "cannot", "No
# such file"), not package names such as libgpg-error-dev
noisy_lines() {
	printf '%s\n' "$OUT" | grep -E -e '^[EW]: ' \
	    -e '(^|[ :])([Ww]arning|WARNING|[Ee]rror|ERROR)([: ]|$)' \
	    -e '[Ff]ailed|[Cc]annot |No such file' | head -n 3 | tr '\n' ' '
}
# procs: pids whose root is the test root or in it (the workers chroot)
procs() {
	for p in /proc/[0-9]*; do
		case $(readlink "$p/root" 2>/dev/null) in
		"$ROOT"|"$ROOT"/*) echo "${p#/proc/}" ;;
		esac
	done
}

unmount() {
	for m in "$ROOT/proc"; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
}
cleanup() {
	pids=$(procs)
	[ -n "$pids" ] && kill $pids 2>/dev/null
	unmount
	[ "${DISTCHECK_KEEP:-}" = 1 ] || rm -rf "$ROOT"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- a fresh root ---------------------------------------------------------
unmount
rm -rf "$ROOT"
echo "distcheck: debootstrap bookworm (minbase) into $ROOT"
if ! nice debootstrap --variant=minbase bookworm "$ROOT" \
    ${DISTCHECK_MIRROR:+"$DISTCHECK_MIRROR"} >>"$LOG" 2>&1; then
	tail -n 20 "$LOG"
	echo "distcheck: debootstrap failed" >&2
	exit 1
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"
# A chroot has no init and no runlevel, so invoke-rc.d would refuse every
# action (and say so).  This policy makes it decide as a sysvinit
# machine in runlevel 2 would: start or restart a service only if it is
# enabled there; stop always.
cat > "$ROOT/usr/sbin/policy-rc.d" <<'EOP'
#!/bin/sh
case $2 in
*start*) ls /etc/rc2.d/S[0-9][0-9]"$1" >/dev/null 2>&1 || exit 101 ;;
esac
exit 0
EOP
chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
cp "$deb" "$ROOT/tmp/"

# --- install ----------------------------------------------------------------
echo "distcheck: apt-get install ./$deb (gatewayd $ver)"
quiet "apt-get update" apt-get update -qq
if quiet "apt-get install" apt-get install -y -q -o Dpkg::Use-Pty=0 \
    --no-install-recommends "/tmp/$deb"; then
	ok "apt-get install ./$deb in a fresh Debian 12 root"
else
	notok "apt-get install ./$deb" "$(printf '%s\n' "$OUT" | tail -n 3 | tr '\n' ' ')"
	echo "$P passed, $F failed"
	exit 1
fi
install_out=$OUT
st=$(inroot dpkg-query -W -f='${Status} ${Version}' gatewayd)
[ "$st" = "install ok installed $ver" ] && ok "dpkg: $st" ||
    notok "dpkg status" "$st"

for u in _gatewayd _gatewayd-db; do
	pw=$(inroot getent passwd "$u")
	uid=$(echo "$pw" | cut -d: -f3)
	shell=$(echo "$pw" | cut -d: -f7)
	grp=$(inroot id -gn "$u" 2>/dev/null)
	if [ -n "$pw" ] && [ "$uid" -lt 1000 ] && [ "$uid" -gt 0 ] &&
	    [ "$shell" = /usr/sbin/nologin ] && [ "$grp" = "$u" ]; then
		ok "user $u: system uid $uid, group $grp, shell $shell"
	else
		notok "user $u" "${pw:-missing}"
	fi
done

files=
for f in /usr/sbin/gatewayd /usr/sbin/gatewayctl \
    /usr/libexec/gatewayd/mixd /usr/libexec/gatewayd/clientd \
    /usr/libexec/gatewayd/credd /usr/libexec/gatewayd/storaged \
    /usr/libexec/gatewayd/apid /usr/libexec/gatewayd/verlocd; do
	[ -x "$ROOT$f" ] || files="$files $f"
done
[ -z "$files" ] && ok "programs in /usr/sbin, workers in /usr/libexec/gatewayd" ||
    notok "programs" "missing:$files"
files=
for f in /usr/share/man/man8/gatewayd.8.gz /usr/share/man/man8/gatewayctl.8.gz \
    /usr/share/man/man5/gatewayd.conf.5.gz /etc/init.d/gatewayd \
    /etc/default/gatewayd /lib/systemd/system/gatewayd.service \
    /usr/share/doc/gatewayd/copyright /usr/share/doc/gatewayd/README.Debian; do
	[ -f "$ROOT$f" ] || files="$files $f"
done
[ -z "$files" ] && ok "manual pages, unit, rc script, copyright, README.Debian" ||
    notok "files" "missing:$files"
if zcat "$ROOT/usr/share/man/man8/gatewayd.8.gz" | grep -q /usr/libexec/gatewayd &&
    ! zcat "$ROOT/usr/share/man/man8/gatewayd.8.gz" | grep -q /usr/local; then
	ok "gatewayd(8) names the installed paths"
else
	notok "gatewayd(8) names the installed paths"
fi
u=$ROOT/lib/systemd/system/gatewayd.service
if grep -qx 'ExecStart=/usr/sbin/gatewayd -d' "$u" &&
    grep -qx 'ExecStartPre=/usr/sbin/gatewayd -n' "$u" &&
    grep -q '^CapabilityBoundingSet=' "$u" && ! grep -q /usr/local "$u"; then
	ok "unit: hardened, ExecStart=/usr/sbin/gatewayd -d"
else
	notok "unit paths" "$(grep -E '^Exec' "$u" | tr '\n' ' ')"
fi
grep -qx 'DAEMON=/usr/sbin/gatewayd' "$ROOT/etc/init.d/gatewayd" &&
    ok "rc script: DAEMON=/usr/sbin/gatewayd" || notok "rc script paths"
cf=$(inroot dpkg-query -W -f='${Conffiles}' gatewayd | awk '{print $1}' | sort | tr '\n' ' ')
[ "$cf" = "/etc/default/gatewayd /etc/gatewayd/gatewayd.yaml /etc/init.d/gatewayd " ] &&
    ok "conffiles: $cf" || notok "conffiles" "$cf"
ls "$ROOT"/etc/rc[2-5].d/S*gatewayd >/dev/null 2>&1 &&
    notok "rc script not enabled" "$(ls "$ROOT"/etc/rc[2-5].d/*gatewayd)" ||
    ok "rc script installed but not enabled (no S links)"

# --- keys, config ---------------------------------------------------------
K=$ROOT/etc/gatewayd/keys
kperm=$(stat -c %a "$K" 2>/dev/null)
missing=
for k in ed25519_identity x25519_sphinx x25519_noise; do
	[ "$(stat -c %a "$K/$k" 2>/dev/null)" = 600 ] && [ -f "$K/$k.pub" ] ||
	    missing="$missing $k"
done
if [ "$kperm" = 700 ] && [ -z "$missing" ]; then
	ok "first install made the keys (keys/ 0700, private keys 0600)"
else
	notok "keys" "keys/ mode ${kperm:-none}, missing or wrong:$missing"
fi
printf '%s\n' "$install_out" | grep -q 'created identity, sphinx and noise keys' &&
    ok "postinst said: $(printf '%s\n' "$install_out" | grep 'created identity')" ||
    notok "postinst message about the keys"
OUT=
printf '%s\n' "$install_out" | grep -iE '(^|[^a-z])(warning|error)' |
    grep -qv 'not starting it' &&
    notok "install printed no warning or error" \
    "$(printf '%s\n' "$install_out" | grep -iE 'warning|error' | head -n 3 | tr '\n' ' ')" ||
    ok "install printed no warning or error"

if quiet "gatewayd -n" gatewayd -n -f /etc/gatewayd/gatewayd.yaml &&
    [ "$OUT" = "configuration OK" ]; then
	ok "gatewayd -n -f /etc/gatewayd/gatewayd.yaml: $OUT"
else
	notok "gatewayd -n on the shipped config" "$OUT"
fi
if quiet "node-details" gatewayctl node-details &&
    id=$(printf '%s\n' "$OUT" | awk '/^Identity Key:/ {print $3}') &&
    [ -n "$id" ]; then
	ok "gatewayctl node-details reads the keys (identity $id)"
else
	notok "gatewayctl node-details" "$OUT"
fi
keysum() { (cd "$K" && cat ./* | sha256sum | cut -c 1-16); }
sum0=$(keysum)

# --- the installed daemon, started by the rc script -------------------------
# On loopback and on free ports, nym-api on a closed loopback port and the
# upgrade-mode watcher off: nothing leaves the machine.
free_port() {
	p=$1
	while ss -ltnH "sport = :$p" 2>/dev/null | grep -q .; do p=$((p + 1)); done
	echo "$p"
}
seed=$((20000 + $$ % 10000))
pc=$(free_port "$seed"); pm=$(free_port $((pc + 1))); ph=$(free_port $((pm + 1)))
pa=$(free_port $((ph + 1)))
sed -e "s|\"0.0.0.0:9000\", \"\\[::\\]:9000\"|\"127.0.0.1:$pc\"|" \
    -e "s|\"0.0.0.0:1789\", \"\\[::\\]:1789\"|\"127.0.0.1:$pm\"|" \
    -e "s|\"0.0.0.0:8080\", \"\\[::\\]:8080\"|\"127.0.0.1:$ph\"|" \
    -e "s|https://validator.nymtech.net/api/|http://127.0.0.1:$pa/|" \
    -e "s|^  attestation_url: .*|  attestation_url: \"\"|" \
    "$ROOT/etc/gatewayd/gatewayd.yaml" > "$ROOT/etc/gatewayd/distcheck.yaml"
cp "$ROOT/etc/default/gatewayd" "$ROOT/tmp/default.orig"
echo 'DAEMON_OPTS="-f /etc/gatewayd/distcheck.yaml"' >> "$ROOT/etc/default/gatewayd"
# As README.Debian tells an operator without systemd.
if quiet "enable" update-rc.d gatewayd enable &&
    ls "$ROOT"/etc/rc2.d/S*gatewayd >/dev/null 2>&1; then
	ok "update-rc.d gatewayd enable"
else
	notok "update-rc.d gatewayd enable" "$OUT"
fi
if quiet "rc start" service gatewayd start; then
	ok "service gatewayd start (clients on 127.0.0.1:$pc)"
else
	notok "service gatewayd start" "$OUT"
fi
# running: "program:user ..." of the processes in the root, users by
# the root's names
running() {
	for p in $(procs); do
		exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
		echo "${exe##*/}:$(inroot getent passwd "$(stat -c %u "/proc/$p")" |
		    cut -d: -f1)"
	done | sort | tr '\n' ' '
}
# up: wait until the master and its six workers run, each as its user
ALL="apid:_gatewayd clientd:_gatewayd credd:_gatewayd gatewayd:root mixd:_gatewayd storaged:_gatewayd-db verlocd:_gatewayd "
up() {
	i=0
	while [ "$(running)" != "$ALL" ] && [ $i -lt 50 ]; do
		sleep 0.2; i=$((i + 1))
	done
	[ "$(running)" = "$ALL" ]
}
gone() {
	i=0
	while [ -n "$(procs)" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
	[ -z "$(procs)" ]
}
master() {
	for p in $(procs); do
		[ "$(readlink "/proc/$p/exe")" = "$ROOT/usr/sbin/gatewayd" ] &&
		    echo "$p"
	done
	return 0
}
up && ok "running from /usr/libexec/gatewayd: $(running)" ||
    notok "master and five workers, each as its user" "$(running)"
if quiet "rc status" /etc/init.d/gatewayd status &&
    printf '%s\n' "$OUT" | grep -q storaged; then
	ok "/etc/init.d/gatewayd status: $(printf '%s\n' "$OUT" | head -n 1)"
else
	notok "/etc/init.d/gatewayd status" "$(printf '%s\n' "$OUT" | head -n 3 | tr '\n' ' ')"
fi
db=$(inroot stat -c %U:%a /var/lib/gatewayd/db 2>&1)
[ "$db" = "_gatewayd-db:700" ] &&
    ok "/var/lib/gatewayd/db is _gatewayd-db's, 0700" || notok "data directory" "$db"
data0=$(ls "$ROOT/var/lib/gatewayd/db" | tr '\n' ' ')

# --- upgrade ----------------------------------------------------------------
# The same package as version $ver+1: preinst upgrade, postinst configure
# with the old version, restart of the running daemon.
rm -rf "$ROOT/tmp/up"
dpkg-deb -R "$deb" "$ROOT/tmp/up"
sed -i "s/^Version: .*/Version: $ver+1/" "$ROOT/tmp/up/DEBIAN/control"
dpkg-deb -b "$ROOT/tmp/up" "$ROOT/tmp/gatewayd_${ver}+1_amd64.deb" >>"$LOG" 2>&1
master0=$(master)
if quiet "upgrade" apt-get install -y -q -o Dpkg::Use-Pty=0 \
    "/tmp/gatewayd_${ver}+1_amd64.deb"; then
	ok "upgrade to $ver+1"
else
	notok "upgrade to $ver+1" "$(printf '%s\n' "$OUT" | tail -n 3 | tr '\n' ' ')"
fi
[ "$(keysum)" = "$sum0" ] && [ "$(stat -c %a "$K")" = 700 ] &&
    ok "upgrade left the keys alone" || notok "upgrade left the keys alone"
[ "$(ls "$ROOT/var/lib/gatewayd/db" | tr '\n' ' ')" = "$data0" ] &&
    [ -n "$data0" ] && ok "upgrade left the data alone ($data0)" ||
    notok "upgrade left the data alone" "$data0"
up && master1=$(master) && [ "$master1" != "$master0" ] &&
    ok "upgrade restarted the running daemon (master $master0, now $master1)" ||
    notok "upgrade restarted the running daemon" \
    "before ${master0:-none}, after $(master): $(running)"

# --- stop, remove, purge ------------------------------------------------------
quiet "rc stop" service gatewayd stop
gone && ok "service gatewayd stop: master and workers gone" ||
    notok "service gatewayd stop" "still running: $(running)"
quiet "rc start" service gatewayd start
up || notok "service gatewayd start again" "$(running)"

if quiet "remove" apt-get remove -y -q -o Dpkg::Use-Pty=0 gatewayd &&
    [ -z "$(noisy_lines)" ]; then
	ok "apt-get remove, no warning or error"
else
	notok "apt-get remove" "$(noisy_lines)"
fi
gone && ok "removal stopped the running daemon" ||
    notok "removal stopped the running daemon" "$(running)"
[ ! -e "$ROOT/usr/sbin/gatewayd" ] && [ ! -e "$ROOT/usr/libexec/gatewayd" ] &&
    [ -f "$ROOT/etc/gatewayd/gatewayd.yaml" ] &&
    ok "removed: programs gone, conffiles kept" || notok "remove"
cp "$ROOT/tmp/default.orig" "$ROOT/etc/default/gatewayd"
rm -f "$ROOT/etc/gatewayd/distcheck.yaml"

# dpkg's one warning on purge is the rule at work: /etc/gatewayd holds
# the keys, which purge keeps, so dpkg cannot remove the directory.
KEPT="dpkg: warning: while removing gatewayd, directory '/etc/gatewayd' not empty so not removed"
if quiet "purge" apt-get purge -y -q -o Dpkg::Use-Pty=0 gatewayd; then
	OUT=$(printf '%s\n' "$OUT" | grep -vxF "$KEPT")
	n=$(noisy_lines)
	[ -z "$n" ] && ok "apt-get purge, no warning or error but dpkg's on /etc/gatewayd kept" ||
	    notok "apt-get purge" "$n"
else
	notok "apt-get purge" "$(noisy_lines)"
fi
st=$(inroot dpkg-query -W -f='${db:Status-Abbrev}' gatewayd 2>/dev/null)
left=$(cd "$ROOT" && ls -d etc/gatewayd/gatewayd.yaml etc/init.d/gatewayd \
    etc/default/gatewayd etc/rc?.d/*gatewayd lib/systemd/system/gatewayd.service \
    usr/share/doc/gatewayd 2>/dev/null | tr '\n' ' ')
[ -z "$left" ] && case $st in ''|un*|pn*) true ;; *) false ;; esac &&
    ok "purged: no conffile, rc link or unit left (dpkg: ${st:-no such package})" ||
    notok "purge" "dpkg ${st:-?}; left: $left"
kept=
[ "$(keysum)" = "$sum0" ] && kept="keys"
[ -d "$ROOT/var/lib/gatewayd/db" ] && kept="$kept data"
inroot getent passwd _gatewayd >/dev/null && inroot getent passwd _gatewayd-db >/dev/null &&
    kept="$kept users"
[ "$kept" = "keys data users" ] &&
    ok "purge kept, by rule (README.Debian): $kept" || notok "purge kept keys, data, users" "$kept"

# --- the unit, as systemd reads it ------------------------------------------
# No systemd runs in a chroot, but systemd-analyze reads the unit as
# systemd 252 would: every directive known, every program and manual
# page (Documentation=, hence man-db) there.
if quiet "systemd" apt-get install -y -qq -o Dpkg::Use-Pty=0 \
    --no-install-recommends systemd man-db "/tmp/$deb" &&
    quiet "verify" systemd-analyze verify gatewayd.service &&
    [ -z "$OUT" ]; then
	ok "reinstalled beside systemd: systemd-analyze verify gatewayd.service is silent"
else
	notok "systemd-analyze verify gatewayd.service" "$(printf '%s\n' "$OUT" |
	    head -n 3 | tr '\n' ' ')"
fi
[ -e "$ROOT/etc/systemd/system/multi-user.target.wants/gatewayd.service" ] &&
    notok "unit installed, not enabled" || ok "unit installed, not enabled"
[ "$(keysum)" = "$sum0" ] &&
    ok "reinstall after purge found the kept keys and made none" ||
    notok "reinstall after purge kept the keys"

# --- optional: the README on this bare machine -----------------------------
# make with nothing installed but git and make: it installs what it
# needs and builds, with no error line; then Nym's own client against
# the fresh clone's build (the one test Debian's nodejs and npm are for).
if [ "${DISTCHECK_BUILD:-}" = 1 ]; then
	echo "distcheck: git clone, make, Nym's client in the root (README)"
	quiet "git make" apt-get install -y -qq -o Dpkg::Use-Pty=0 git make
	# The root trusts the certificate authorities this machine adds
	# (/usr/local/share/ca-certificates; none on most), as npm must
	# where a proxy re-signs TLS.
	if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
		quiet "ca-certificates" apt-get install -y -qq \
		    -o Dpkg::Use-Pty=0 ca-certificates
		cp /usr/local/share/ca-certificates/*.crt \
		    "$ROOT/usr/local/share/ca-certificates/"
		quiet "update-ca-certificates" update-ca-certificates
	fi
	rm -rf "$ROOT/root/gatewayd"
	git clone -q "$TOP" "$ROOT/root/gatewayd" >>"$LOG" 2>&1
	if quiet "make" sh -c 'cd /root/gatewayd && nice make -s' &&
	    [ -x "$ROOT/root/gatewayd/obj/bin/gatewayd" ]; then
		n=$(noisy_lines)
		[ -z "$n" ] && ok "make on a bare machine: packages installed, built, no error line" ||
		    notok "make printed" "$n"
	else
		notok "make on a bare machine" "$(printf '%s\n' "$OUT" | tail -n 3 | tr '\n' ' ')"
	fi
	quiet "make deps" sh -c 'cd /root/gatewayd && make deps' && [ -z "$OUT" ] &&
	    ok "make deps after it: nothing missing, nothing printed" ||
	    notok "make deps after make" "$(printf '%s\n' "$OUT" | head -n 3 | tr '\n' ' ')"
	nm=$(inroot sh -c 'echo "node $(node --version), npm $(npm --version)"' 2>&1)
	if quiet "interop build" sh -c 'cd /root/gatewayd &&
	    nice make -s O=obj/test TEST_HOOKS=1 tests' &&
	    quiet "interop" sh -c 'cd /root/gatewayd && TOP=/root/gatewayd \
	    O=obj/test BIN=/root/gatewayd/obj/test/bin \
	    sh regress/interop/interop.sh' &&
	    ! printf '%s\n' "$OUT" | grep -qE '^(not ok|skip) - '; then
		ok "Nym's client ($nm, Debian's): $(printf '%s\n' "$OUT" |
		    grep -c '^ok - ') interop cases passed, none skipped"
	else
		notok "Nym's client on the fresh clone" "$(printf '%s\n' "$OUT" |
		    grep -E '^(not ok|skip) - ' | head -n 3 | tr '\n' ' ')"
	fi
	# make deb installs its own tools there too, and lintian agrees.
	if quiet "make deb" sh -c 'cd /root/gatewayd && make deb' &&
	    ls "$ROOT"/root/gatewayd/obj/deb/gatewayd_*.deb >/dev/null 2>&1; then
		ok "make deb on the fresh clone: $(printf '%s\n' "$OUT" |
		    grep -E '^deb: (gatewayd_|lintian found)' | tr '\n' ' ')"
	else
		notok "make deb on the fresh clone" "$(printf '%s\n' "$OUT" |
		    tail -n 3 | tr '\n' ' ')"
	fi
fi

echo "distcheck: details in obj/deb/distcheck.log"
echo "$P passed, $F failed"
[ "$F" -eq 0 ]
