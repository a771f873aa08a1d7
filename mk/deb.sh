#!/bin/sh
# make deb: gatewayd's Debian package, built the Debian way
# (dpkg-buildpackage over debian/) from a copy of the work tree in
# obj/deb/, where the .deb lands, then checked by lintian.
# Installs what it needs first, as every other target does:
# mk/deps-deb.txt, then debian/control's Build-Depends (apt-get
# build-dep).  DEB_BUILD_OPTIONS passes through (nocheck, noopt, ...).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=$TOP/obj/deb
cd "$TOP"

sh mk/deps.sh mk/deps-deb.txt
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo

ver=$(dpkg-parsechangelog -S Version)
mkver=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' mk/flags.mk)
if [ "$ver" != "$mkver" ]; then
	echo "deb: debian/changelog is at $ver, mk/flags.mk at $mkver" >&2
	exit 1
fi

# The sources as git has them (tracked or new, not ignored, not deleted):
# no obj/, run/ or node_modules in the source package.
src=$OUT/gatewayd-$ver
rm -rf "$OUT"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files --cached --others --exclude-standard |
	    while IFS= read -r f; do
		[ -e "$f" ] && printf '%s\n' "$f"
	    done | tar -cf - --verbatim-files-from -T - | tar -xf - -C "$src"
else
	tar -cf - --exclude=./obj --exclude=./run --exclude=node_modules . |
	    tar -xf - -C "$src"
fi

# The package's tree has no .git: what build-information reports
# (mk/buildinfo.sh) goes along in a file.
if git rev-parse HEAD >/dev/null 2>&1; then
	{
		echo "commit_sha=$(git rev-parse HEAD)"
		echo "commit_timestamp=$(TZ=UTC0 git log -1 --format=%cd \
		    --date=format-local:%Y-%m-%dT%H:%M:%SZ HEAD)"
		echo "commit_branch=$(git rev-parse --abbrev-ref HEAD)"
	} > "$src/BUILDINFO"
fi

cd "$src"
if ! dpkg-checkbuilddeps >/dev/null 2>&1; then
	echo "deb: installing the build dependencies in debian/control"
	$SUDO apt-get update -qq
	$SUDO env DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes \
	    apt-get build-dep -y -qq --no-install-recommends \
	    -o Dpkg::Use-Pty=0 ./
fi

echo "deb: dpkg-buildpackage in ${src#"$TOP"/} (log: obj/deb/build.log)"
if ! DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
    nice dpkg-buildpackage -us -uc >"$OUT/build.log" 2>&1; then
	tail -n 40 "$OUT/build.log"
	echo "deb: dpkg-buildpackage failed" >&2
	exit 1
fi

cd "$OUT"
changes=$(ls gatewayd_"$ver"_*.changes)
deb=$(ls gatewayd_"$ver"_*.deb)
echo "deb: $deb"
dpkg-deb --contents "$deb" | awk '{ print "deb:   " $1, $NF }' |
    grep -E ' \./(usr/s?bin|usr/libexec|lib/systemd|etc|usr/share/man)/.' ||
    true
# Errors fail the target; warnings and info are printed.  There are none
# to keep today (lintian 2.116, Debian 12).  Only -E (experimental) adds
# very-long-line-length-in-source-file, for fuzz corpus files and Nym's
# wire-format notes in doc/spec: data, not code, left as they are.
# An override, should one be needed, goes in
# debian/gatewayd.lintian-overrides with a comment saying why.
# As root, lintian runs as nobody (it warns against root) where nobody
# can read the files (not under /root, say).
AS=
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null &&
    runuser -u nobody -- test -r "$OUT/$changes" 2>/dev/null; then
	AS="runuser -u nobody --"
fi
echo "deb: lintian $changes"
$AS lintian --fail-on error --info "$changes"
echo "deb: lintian found no errors"
