#!/bin/sh
# Install whichever packages in a list are missing (Debian 12).
#   sh mk/deps.sh [list...]     default: mk/deps.txt beside this script
# Runs apt-get only when something is missing, so a ready machine pays
# nothing.
#
# A line is "package [command]".  The package counts as present when
# dpkg has it installed or, where a command is named, when that command
# is on PATH: then another package already provides it, and installing
# this one could replace that package.  (nodesource's nodejs bundles npm
# and conflicts with Debian's npm: apt-get would remove it to install
# npm.)
set -eu
[ $# -gt 0 ] || set -- "$(dirname "$0")/deps.txt"
missing=
for list; do
	while read -r p cmd _; do
		case $p in ''|'#'*) continue ;; esac
		case ${cmd:-} in '#'*) cmd= ;; esac
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case $st in *"install ok installed"*) continue ;; esac
		[ -n "${cmd:-}" ] && command -v "$cmd" >/dev/null 2>&1 &&
		    continue
		missing="$missing $p"
	done < "$list"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo
# Quiet but for what matters: no dpkg progress meter (Use-Pty=0) and no
# debconf notice that apt-utils is absent.
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes \
    apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 \
    $missing
