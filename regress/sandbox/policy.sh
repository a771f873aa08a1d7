#!/bin/sh
# Each worker's allowlist, printed by the worker itself (-S), matches the
# reviewed golden file: any change to a policy shows up in review.
. "$(dirname "$0")/../lib/testlib.sh"

for role in mixd clientd credd storaged apid verlocd; do
	if [ "${GW_TEST_LABEL:-}" = asan ]; then
		skip "$role policy matches regress/sandbox/$role.policy" \
		    "sanitizer builds add the sanitizer's own calls"
		continue
	fi
	if "$BIN/$role" -S | diff -u "$TOP/regress/sandbox/$role.policy" - \
	    > /tmp/policy.$$ 2>&1; then
		ok "$role policy matches regress/sandbox/$role.policy"
	else
		notok "$role policy matches regress/sandbox/$role.policy" \
		    "$(head -20 /tmp/policy.$$)"
	fi
	rm -f /tmp/policy.$$
done
# A worker started by hand, without the master's channel, refuses.
"$BIN/mixd" 3>&- > /tmp/mixd.$$ 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'started by gatewayd' /tmp/mixd.$$ && \
    ok "a worker started by hand refuses to run" || \
    notok "a worker started by hand refuses to run" "rc $rc"
rm -f /tmp/mixd.$$
t_done
