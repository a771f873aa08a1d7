#!/bin/sh
# Install whichever packages in mk/deps.txt are missing (Debian 12).
# Runs apt-get only when something is missing, so a ready machine pays nothing.
set -eu
list=$(dirname "$0")/deps.txt
missing=
for p in $(grep -v '^#' "$list"); do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
