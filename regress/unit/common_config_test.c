/*
 * common/config.c: defaults, the example config, every error kind with
 * its position, the value syntaxes, the print/parse round trip and the
 * restart keys.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "testlib.h"
#include "util.h"

/* Parse text, keep what the parser printed in *msgs (caller frees). */
static int
parse(struct gw_config *c, const char *text, char **msgs)
{
	FILE	*fp;
	size_t	 len;
	char	*buf = NULL;
	int	 n;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		abort();
	n = config_parse_buffer(c, "t.yaml", text, strlen(text), fp);
	fclose(fp);
	if (msgs != NULL)
		*msgs = buf;
	else
		free(buf);
	return n;
}

/* Count of lines in s. */
static int
nlines(const char *s)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

static const char *
example_path(char *buf, size_t len)
{
	const char	*top = getenv("TOP");

	if (top != NULL && *top != '\0')
		snprintf(buf, len, "%s/etc/gatewayd.yaml", top);
	else
		snprintf(buf, len, "etc/gatewayd.yaml");
	return buf;
}

/* A prefix that makes a config valid on its own (announce.host). */
#define H	"announce: {host: gw.example.org,\n  public_ips: [192.0.2.1]}\n"

static void
test_defaults(void)
{
	struct gw_config	 c;
	char			 b[64];

	T_BEGIN("defaults");
	config_defaults(&c);
	CHECK(strcmp(c.path, "") == 0);
	CHECK(strcmp(c.user, "_gatewayd") == 0);
	CHECK(strcmp(c.storage_user, "_gatewayd-db") == 0);
	CHECK(strcmp(c.keys_dir, "/etc/gatewayd/keys") == 0);
	CHECK(strcmp(c.data_dir, "/var/lib/gatewayd") == 0);
	CHECK(strcmp(c.chroot_dir, "/run/gatewayd/empty") == 0);
	CHECK(strcmp(c.control_socket, "/run/gatewayd/gatewayd.sock") == 0);
	CHECK(strcmp(c.announce_host, "") == 0);
	CHECK(c.announce_ws_port == 0 && c.announce_wss_port == 0);
	CHECK(c.listen_clients.n == 2);
	CHECK(strcmp(c.listen_clients.addr[0].text, "0.0.0.0:9000") == 0);
	CHECK(strcmp(c.listen_clients.addr[1].text, "[::]:9000") == 0);
	CHECK(c.listen_clients.addr[0].ss.ss_family == AF_INET);
	CHECK(c.listen_clients.addr[1].ss.ss_family == AF_INET6);
	CHECK(c.listen_clients.addr[1].sslen == sizeof(struct sockaddr_in6));
	CHECK(c.listen_mix.n == 2);
	CHECK(strcmp(c.listen_mix.addr[0].text, "0.0.0.0:1789") == 0);
	CHECK(strcmp(c.listen_mix.addr[1].text, "[::]:1789") == 0);
	CHECK(c.listen_http.n == 2);
	CHECK(strcmp(c.listen_http.addr[0].text, "0.0.0.0:8080") == 0);
	CHECK(strcmp(c.listen_http.addr[1].text, "[::]:8080") == 0);
	CHECK(c.n_nym_api_urls == 1);
	CHECK(strcmp(c.nym_api_urls[0],
	    "https://validator.nymtech.net/api/") == 0);
	CHECK(c.nym_api_timeout_ms == 10000);
	CHECK(c.enforce_zk_nyms == 0 && c.testnet == 0);
	CHECK(c.max_connections == 10000);
	CHECK(c.max_connections_per_address == 64);
	CHECK(c.max_mix_connections == 4096);
	CHECK(c.max_message_size == 65536);
	CHECK(c.handshake_timeout_ms == 10000);
	CHECK(c.idle_timeout_ms == 300000);
	CHECK(c.mix_read_timeout_ms == 30000);
	CHECK(c.map_size == 1024ULL * 1024 * 1024);
	CHECK(c.inbox_retention_s == 86400);
	CHECK(c.inbox_max_messages == 10000);
	CHECK(c.commit_interval_ms == 5);
	CHECK(c.commit_batch == 4096);
	/* wildcards only: nothing to announce until announce.host is set */
	CHECK(strcmp(config_announce_host(&c, b, sizeof(b)), "") == 0);
	CHECK(config_announce_ws_port(&c) == 9000);
	T_END();
}

static void
test_example(void)
{
	struct gw_config	 c, d;
	char			 path[PATH_MAX], *msgs = NULL;
	FILE			*fp;
	size_t			 len;
	int			 n;

	T_BEGIN("example etc/gatewayd.yaml parses with no error");
	example_path(path, sizeof(path));
	fp = open_memstream(&msgs, &len);
	n = config_parse_file(&c, path, fp);
	fclose(fp);
	CHECKF(n == 0, "%d errors: %s", n, msgs);
	CHECK(strcmp(c.path, path) == 0);
	CHECK(strcmp(c.announce_host, "gateway.example.org") == 0);
	/* Everything else in it is the default. */
	config_defaults(&d);
	memcpy(d.path, c.path, sizeof(d.path));
	memcpy(d.announce_host, c.announce_host, sizeof(d.announce_host));
	/* and its placeholder address, which an operator must replace */
	CHECK(c.n_announce_ips == 1 &&
	    strcmp(c.announce_ips[0], "192.0.2.1") == 0);
	memcpy(d.announce_ips, c.announce_ips, sizeof(d.announce_ips));
	d.n_announce_ips = c.n_announce_ips;
	CHECK(memcmp(&c, &d, sizeof(c)) == 0);
	free(msgs);
	T_END();
}

/* One bad config: its error count and the first message, exactly. */
struct bad {
	const char	*name;
	const char	*text;
	int		 nerr;
	const char	*msg;	/* the first line, whole */
};

static const struct bad bads[] = {
	{ "unknown key at the top", H "colour: blue\n", 1,
	    "t.yaml:3:1: unknown key \"colour\"" },
	{ "unknown key in a section", H "paths:\n  data: /d\n  dta: /x\n", 1,
	    "t.yaml:5:3: unknown key \"dta\" in paths" },
	{ "mapping for a scalar", H "user:\n  name: x\n", 1,
	    "t.yaml:4:3: user: expected a scalar, found a mapping" },
	{ "list for a scalar", H "limits:\n  max_connections: [1, 2]\n", 1,
	    "t.yaml:4:20: limits.max_connections: expected a scalar, found "
	    "a list" },
	{ "scalar for a section", H "paths: /etc\n", 1,
	    "t.yaml:3:8: paths: expected a mapping, found a scalar" },
	{ "mapping for a list", H "listen:\n  mix:\n    a: b\n", 1,
	    "t.yaml:5:5: listen.mix: expected a list or a scalar, found a "
	    "mapping" },
	{ "list in a list", H "nym_api:\n  urls: [[\"https://a/\"]]\n", 1,
	    "t.yaml:4:10: nym_api.urls: expected a scalar in the list, "
	    "found a list" },
	{ "top level not a mapping", "- a\n- b\n", 1,
	    "t.yaml:1:1: expected a mapping of keys at the top level, found "
	    "a list" },
	{ "key not a scalar", H "[a]: b\n", 1,
	    "t.yaml:3:1: a key must be a scalar, found a list" },
	{ "out of range integer", H "limits:\n  max_connections: 0\n", 1,
	    "t.yaml:4:20: limits.max_connections: 0 is out of range "
	    "(allowed 1 to 1000000)" },
	{ "out of range integer, huge", H
	    "storage:\n  commit_batch: 99999999999999999999999\n", 1,
	    "t.yaml:4:17: storage.commit_batch: 99999999999999999999999 is "
	    "out of range (allowed 1 to 65536)" },
	{ "negative integer", H "storage:\n  commit_batch: -5\n", 1,
	    "t.yaml:4:17: storage.commit_batch: -5 is out of range "
	    "(allowed 1 to 65536)" },
	{ "malformed integer", H "limits:\n  max_mix_connections: 4k\n", 1,
	    "t.yaml:4:24: limits.max_mix_connections: malformed integer "
	    "\"4k\"" },
	{ "duplicate section", H "announce:\n  ws_port: 70000\n", 1,
	    "t.yaml:3:1: duplicate key \"announce\" (first at line 1)" },
	{ "out of range port",
	    "announce:\n  host: h\n  wss_port: 70000\n", 1,
	    "t.yaml:3:13: announce.wss_port: 70000 is out of range (allowed "
	    "0 to 65535)" },
	{ "out of range duration", H "limits:\n  idle_timeout: 8d\n", 1,
	    "t.yaml:4:17: limits.idle_timeout: 8d is out of range (allowed "
	    "1s to 7d)" },
	{ "duration too small", H "nym_api:\n  timeout: 999ms\n", 1,
	    "t.yaml:4:12: nym_api.timeout: 999ms is out of range (allowed "
	    "1s to 5m)" },
	{ "malformed duration", H "limits:\n  handshake_timeout: 10 s\n", 1,
	    "t.yaml:4:22: limits.handshake_timeout: malformed duration "
	    "\"10 s\" (expected a number with an optional ms, s, m, h or d "
	    "suffix)" },
	{ "fractional duration", H "limits:\n  handshake_timeout: 1.5s\n", 1,
	    "t.yaml:4:22: limits.handshake_timeout: malformed duration "
	    "\"1.5s\" (expected a number with an optional ms, s, m, h or d "
	    "suffix)" },
	{ "seconds-only duration", H "storage:\n  inbox_retention: 61500ms\n",
	    1, "t.yaml:4:20: storage.inbox_retention: 61500ms is not a whole "
	    "number of seconds" },
	{ "malformed size", H "storage:\n  map_size: 1T\n", 1,
	    "t.yaml:4:13: storage.map_size: malformed size \"1T\" (expected "
	    "a number with an optional K, M or G suffix)" },
	{ "size out of range", H "limits:\n  max_message_size: 32K\n", 1,
	    "t.yaml:4:21: limits.max_message_size: 32K is out of range "
	    "(allowed 33K to 64M)" },
	{ "malformed bool", H "mixnet:\n  testnet: maybe\n", 1,
	    "t.yaml:4:12: mixnet.testnet: malformed boolean \"maybe\" "
	    "(expected true, false, yes or no)" },
	{ "bool as number", H "credentials:\n  enforce_zk_nyms: 1\n", 1,
	    "t.yaml:4:20: credentials.enforce_zk_nyms: malformed boolean "
	    "\"1\" (expected true, false, yes or no)" },
	{ "malformed address", H "listen:\n  clients: localhost:9000\n", 1,
	    "t.yaml:4:12: listen.clients: malformed address "
	    "\"localhost:9000\" (expected IPv4:port or [IPv6]:port, "
	    "numeric)" },
	{ "IPv6 without brackets", H "listen:\n  mix: [\"::1:1789\"]\n", 1,
	    "t.yaml:4:9: listen.mix: malformed address \"::1:1789\" (write "
	    "IPv6 as [addr]:port)" },
	{ "address without port", H "listen:\n  http: 127.0.0.1\n", 1,
	    "t.yaml:4:9: listen.http: malformed address \"127.0.0.1\" "
	    "(expected IPv4:port or [IPv6]:port, numeric)" },
	{ "port 0", H "listen:\n  http: \"[::1]:0\"\n", 1,
	    "t.yaml:4:9: listen.http: port of \"[::1]:0\" is out of range "
	    "(allowed 1 to 65535)" },
	{ "port too big", H "listen:\n  http: 127.0.0.1:65536\n", 1,
	    "t.yaml:4:9: listen.http: port of \"127.0.0.1:65536\" is out of "
	    "range (allowed 1 to 65535)" },
	{ "bad IPv4", H "listen:\n  http: 256.0.0.1:80\n", 1,
	    "t.yaml:4:9: listen.http: malformed address \"256.0.0.1:80\" "
	    "(expected IPv4:port or [IPv6]:port, numeric)" },
	{ "list key without a value", H "listen:\n  mix:\n", 1,
	    "t.yaml:4:7: listen.mix: missing value" },
	{ "empty list", H "listen:\n  mix: []\n", 1,
	    "t.yaml:4:8: listen.mix: needs at least one address" },
	{ "too many addresses", H "listen:\n  http:\n"
	    "    - 127.0.0.1:1\n    - 127.0.0.1:2\n    - 127.0.0.1:3\n"
	    "    - 127.0.0.1:4\n    - 127.0.0.1:5\n    - 127.0.0.1:6\n"
	    "    - 127.0.0.1:7\n    - 127.0.0.1:8\n    - 127.0.0.1:9\n", 1,
	    "t.yaml:13:7: listen.http: too many addresses (at most 8)" },
	{ "too many URLs", H "nym_api:\n  urls: [http://a, http://b, "
	    "http://c, http://d, http://e, http://f, http://g, http://h, "
	    "http://i, http://j]\n", 1,
	    "t.yaml:4:90: nym_api.urls: too many URLs (at most 8)" },
	{ "url scheme", H "nym_api:\n  urls:\n    - ftp://nym.example/\n", 1,
	    "t.yaml:5:7: nym_api.urls: \"ftp://nym.example/\" must start "
	    "with https:// or http://" },
	{ "url without host", H "nym_api:\n  urls: https://\n", 1,
	    "t.yaml:4:9: nym_api.urls: \"https://\" has no host" },
	{ "url with a space", H "nym_api:\n  urls: \"https://a b/\"\n", 1,
	    "t.yaml:4:9: nym_api.urls: \"https://a b/\" contains a space or "
	    "a control character" },
	{ "duplicate key", H "user: a\nstorage_user: b\nuser: c\n", 1,
	    "t.yaml:5:1: duplicate key \"user\" (first at line 3)" },
	{ "duplicate key in a section", H "paths:\n  keys: /a\n  keys: /b\n",
	    1, "t.yaml:5:3: duplicate key \"paths.keys\" (first at line 4)" },
	{ "empty path", H "paths:\n  data: \"\"\n", 1,
	    "t.yaml:4:9: paths.data: missing value" },
	{ "missing value", H "limits:\n  max_connections:\n", 1,
	    "t.yaml:4:19: limits.max_connections: missing value" },
	{ "bad user name", H "user: \"gate way\"\n", 1,
	    "t.yaml:3:7: user: invalid user name \"gate way\" (at most 31 of "
	    "A-Z a-z 0-9 _ . -, not starting with a digit, . or -)" },
	{ "root user", H "storage_user: root\n", 1,
	    "t.yaml:3:15: storage_user: must not be root: the workers would "
	    "keep every privilege" },
	{ "same users", H "user: gw\nstorage_user: gw\n", 1,
	    "t.yaml:4:1: storage_user must differ from user, or a "
	    "compromised worker could open the database" },
	{ "bracketed announce host", "announce:\n  host: \"[::1]\"\n", 1,
	    "t.yaml:2:9: announce.host: \"[::1]\" is not a host name or an IP "
	    "address (IPv6 goes without brackets)" },
	{ "nothing to announce", "listen:\n  clients: [\"[::]:9000\"]\n", 1,
	    "t.yaml:2:3: announce.host is empty and every listen.clients "
	    "address is a wildcard: set announce.host to the name or address "
	    "clients dial" },
	{ "listen conflict", H "listen:\n  http: [\"127.0.0.1:1789\"]\n", 1,
	    "t.yaml:4:10: listen.http: 127.0.0.1:1789 conflicts with "
	    "0.0.0.0:1789 of listen.mix" },
	{ "listen duplicate in a list",
	    H "listen:\n  mix: [\"[::1]:5\", \"[::1]:5\"]\n", 1,
	    "t.yaml:4:20: listen.mix: [::1]:5 conflicts with [::1]:5 of "
	    "listen.mix" },
	{ "no follow-on error after a bad list", "listen:\n  clients: "
	    "[\"127.0.0.1:9000\", \"127.0.0.1:9000\", \"x\"]\n", 1,
	    "t.yaml:2:49: listen.clients: malformed address \"x\" (expected "
	    "IPv4:port or [IPv6]:port, numeric)" },
	{ "alias", H "x: &a 5\n", 1,
	    "t.yaml:3:1: unknown key \"x\"" },
	{ "alias as a value", H "paths:\n  data: &d /d\n  keys: *d\n", 1,
	    "t.yaml:5:9: paths.keys: aliases are not supported" },
	{ "NUL byte", H "user: \"a\\0b\"\n", 1,
	    "t.yaml:3:7: user: value contains a NUL byte" },
	{ "control character in a path", H "paths:\n  data: \"/a\\nb\"\n", 1,
	    "t.yaml:4:9: paths.data: contains a control character" },
	{ "syntax error", H "paths:\n  data: /a\n keys: /k\n", 1,
	    "t.yaml:5:2: YAML syntax error: did not find expected key (while "
	    "parsing a block mapping at line 1, column 1)" },
	{ "syntax error after a value", H "paths:\n  data: [/a\n  keys: /k\n",
	    2, "t.yaml:4:9: paths.data: expected a scalar, found a list" },
	{ "syntax error, tab", H "paths:\n\tdata: /a\n", 1,
	    "t.yaml:4:1: YAML syntax error: found character that cannot "
	    "start any token (while scanning for the next token at line 4, "
	    "column 1)" },
	{ "invalid UTF-8", H "user: \"a\xff\"\n", 1,
	    "t.yaml:3:9: YAML syntax error: invalid leading UTF-8 octet" },
	{ "empty file", "", 1, "t.yaml:1:1: empty configuration" },
	{ "only comments", "# nothing\n", 1,
	    "t.yaml:2:1: empty configuration" },
	{ "empty document", "---\n", 1, "t.yaml:2:1: empty configuration" },
	{ "two documents", H "---\nuser: x\n", 1,
	    "t.yaml:3:1: only one YAML document is allowed" },
	{ "nesting too deep", H "x: [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]\n",
	    2, "t.yaml:3:1: unknown key \"x\"" },
};

static void
test_errors(void)
{
	struct gw_config	 c;
	char			 name[160], *msgs, *nl;
	size_t			 i;
	int			 n;

	for (i = 0; i < nitems(bads); i++) {
		snprintf(name, sizeof(name), "error: %s", bads[i].name);
		T_BEGIN(name);
		n = parse(&c, bads[i].text, &msgs);
		CHECKF(n == bads[i].nerr, "%d errors, want %d: %s", n,
		    bads[i].nerr, msgs);
		CHECKF(nlines(msgs) == n, "%d errors but %d lines: %s", n,
		    nlines(msgs), msgs);
		if ((nl = strchr(msgs, '\n')) != NULL)
			*nl = '\0';
		CHECKF(strcmp(msgs, bads[i].msg) == 0, "got \"%s\"", msgs);
		free(msgs);
		T_END();
	}
}

/* The rest of a multi-error report: later lines, and going on. */
static void
test_many_errors(void)
{
	struct gw_config	 c;
	char			*msgs;
	int			 n;

	T_BEGIN("every error reported, in order, values kept");
	n = parse(&c, H
	    "colour: blue\n"				/* 3 */
	    "limits:\n"
	    "  max_connections: 0\n"			/* 5 */
	    "  idle_timeout: 1x\n"			/* 6 */
	    "  max_mix_connections: 7\n"
	    "storage:\n"
	    "  map_size: 2G\n"
	    "  map_size: 3G\n", &msgs);			/* 10 */
	CHECKF(n == 4, "%d: %s", n, msgs);
	CHECKF(strcmp(msgs,
	    "t.yaml:3:1: unknown key \"colour\"\n"
	    "t.yaml:5:20: limits.max_connections: 0 is out of range "
	    "(allowed 1 to 1000000)\n"
	    "t.yaml:6:17: limits.idle_timeout: malformed duration \"1x\" "
	    "(expected a number with an optional ms, s, m, h or d suffix)\n"
	    "t.yaml:10:3: duplicate key \"storage.map_size\" (first at line "
	    "9)\n") == 0, "%s", msgs);
	/* good values are taken, bad ones leave the default */
	CHECK(c.max_mix_connections == 7);
	CHECK(c.map_size == 2ULL << 30);
	CHECK(c.max_connections == 10000);
	CHECK(c.idle_timeout_ms == 300000);
	free(msgs);
	T_END();
}

static void
test_files(void)
{
	struct gw_config	 c;
	char			 tmpl[] = "/tmp/gwconfXXXXXX", *msgs = NULL;
	char			 want[256];
	FILE			*fp, *ef;
	size_t			 len;
	int			 fd, n;

	T_BEGIN("missing file");
	ef = open_memstream(&msgs, &len);
	n = config_parse_file(&c, "/nonexistent/gatewayd.yaml", ef);
	fclose(ef);
	CHECK(n == 1);
	CHECKF(strcmp(msgs, "/nonexistent/gatewayd.yaml: cannot read: "
	    "No such file or directory\n") == 0, "%s", msgs);
	CHECK(strcmp(c.user, "_gatewayd") == 0);
	free(msgs);
	T_END();

	T_BEGIN("directory instead of a file");
	ef = open_memstream(&msgs, &len);
	n = config_parse_file(&c, "/tmp", ef);
	fclose(ef);
	CHECK(n == 1);
	CHECKF(strcmp(msgs, "/tmp: cannot read: Is a directory\n") == 0,
	    "%s", msgs);
	free(msgs);
	T_END();

	T_BEGIN("empty file");
	fd = mkstemp(tmpl);
	CHECK(fd != -1);
	close(fd);
	ef = open_memstream(&msgs, &len);
	n = config_parse_file(&c, tmpl, ef);
	fclose(ef);
	CHECK(n == 1);
	snprintf(want, sizeof(want), "%s:1:1: empty configuration\n", tmpl);
	CHECKF(strcmp(msgs, want) == 0, "%s", msgs);
	free(msgs);
	T_END();

	T_BEGIN("file over 1 MiB");
	fp = fopen(tmpl, "w");
	CHECK(fp != NULL);
	if (fp != NULL) {
		fputs(H, fp);
		for (n = 0; n < 1024 * 1024 / 16 + 1; n++)
			fputs("# padding......\n", fp);
		fclose(fp);
	}
	ef = open_memstream(&msgs, &len);
	n = config_parse_file(&c, tmpl, ef);
	fclose(ef);
	CHECK(n == 1);
	snprintf(want, sizeof(want), "%s:1:1: file too large", tmpl);
	CHECKF(strncmp(msgs, want, strlen(want)) == 0, "%s", msgs);
	free(msgs);
	unlink(tmpl);
	T_END();
}

struct dur {
	const char	*in;
	long long	 ms;	/* -1: error */
};

static void
test_durations(void)
{
	static const struct dur	 durs[] = {
		{ "10", 10000 }, { "10s", 10000 }, { "1500ms", 1500 },
		{ "2m", 120000 }, { "1h", 3600000 }, { "1d", 86400000 },
		{ "7d", 604800000 }, { "0s", -1 }, { "999ms", -1 },
		{ "8d", -1 }, { "1.5s", -1 }, { "s", -1 }, { "10S", -1 },
		{ "10sec", -1 }, { "-1s", -1 }, { "+1s", -1 }, { " 1s", -1 },
		{ "1 s", -1 }, { "0x10", -1 },
		{ "99999999999999999999d", -1 },
		{ "9999999999999999d", -1 },
	};
	struct gw_config	 c;
	char			 text[256], name[96];
	size_t			 i;
	int			 n;

	for (i = 0; i < nitems(durs); i++) {
		snprintf(name, sizeof(name), "duration \"%s\"", durs[i].in);
		T_BEGIN(name);
		snprintf(text, sizeof(text), H "limits:\n  idle_timeout: "
		    "\"%s\"\n", durs[i].in);
		n = parse(&c, text, NULL);
		if (durs[i].ms == -1)
			CHECKF(n == 1, "%d errors", n);
		else
			CHECKF(n == 0 && c.idle_timeout_ms ==
			    (uint32_t)durs[i].ms, "%d errors, %u ms", n,
			    c.idle_timeout_ms);
		T_END();
	}

	T_BEGIN("duration 0ms for commit_interval");
	n = parse(&c, H "storage:\n  commit_interval: 0ms\n", NULL);
	CHECK(n == 0 && c.commit_interval_ms == 0);
	n = parse(&c, H "storage:\n  commit_interval: 1001ms\n", NULL);
	CHECK(n == 1);
	n = parse(&c, H "storage:\n  inbox_retention: 2h\n", NULL);
	CHECK(n == 0 && c.inbox_retention_s == 7200);
	n = parse(&c, H "storage:\n  inbox_retention: 365d\n", NULL);
	CHECK(n == 0 && c.inbox_retention_s == 365 * 86400);
	T_END();
}

static void
test_sizes(void)
{
	static const struct dur	 sizes[] = {
		{ "1G", 1LL << 30 }, { "16M", 16LL << 20 },
		{ "16384K", 16LL << 20 }, { "2g", 2LL << 30 },
		{ "17825792", 17LL << 20 }, { "4096G", 4096LL << 30 },
		{ "4097G", -1 }, { "15M", -1 }, { "1T", -1 }, { "1GB", -1 },
		{ "1.5G", -1 }, { "G", -1 }, { "-1G", -1 },
		{ "99999999999999999999", -1 }, { "9999999999G", -1 },
	};
	struct gw_config	 c;
	char			 text[256], name[96];
	size_t			 i;
	int			 n;

	for (i = 0; i < nitems(sizes); i++) {
		snprintf(name, sizeof(name), "size \"%s\"", sizes[i].in);
		T_BEGIN(name);
		snprintf(text, sizeof(text), H "storage:\n  map_size: %s\n",
		    sizes[i].in);
		n = parse(&c, text, NULL);
		if (sizes[i].ms == -1)
			CHECKF(n == 1, "%d errors", n);
		else
			CHECKF(n == 0 && c.map_size == (uint64_t)sizes[i].ms,
			    "%d errors, %llu", n,
			    (unsigned long long)c.map_size);
		T_END();
	}
	T_BEGIN("size limits.max_message_size");
	n = parse(&c, H "limits:\n  max_message_size: 33792\n", NULL);
	CHECK(n == 0 && c.max_message_size == 33792);
	n = parse(&c, H "limits:\n  max_message_size: 64M\n", NULL);
	CHECK(n == 0 && c.max_message_size == 64 << 20);
	n = parse(&c, H "limits:\n  max_message_size: 33791\n", NULL);
	CHECK(n == 1);
	T_END();
}

static void
test_bools(void)
{
	static const struct {
		const char	*in;
		int		 v;
	} bools[] = {
		{ "true", 1 }, { "false", 0 }, { "yes", 1 }, { "no", 0 },
		{ "TRUE", 1 }, { "False", 0 }, { "YES", 1 }, { "No", 0 },
		{ "\"yes\"", 1 }, { "on", -1 }, { "1", -1 }, { "y", -1 },
		{ "", -1 }, { "truee", -1 },
	};
	struct gw_config	 c;
	char			 text[256], name[96];
	size_t			 i;
	int			 n;

	for (i = 0; i < nitems(bools); i++) {
		snprintf(name, sizeof(name), "bool '%s'", bools[i].in);
		T_BEGIN(name);
		snprintf(text, sizeof(text), H "mixnet:\n  testnet: %s\n"
		    "credentials:\n  enforce_zk_nyms: %s\n  cosmos_address: "
		    "n1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn3jxcwu\n", bools[i].in,
		    bools[i].in);
		n = parse(&c, text, NULL);
		if (bools[i].v == -1)
			CHECKF(n == 2, "%d errors", n);
		else
			CHECKF(n == 0 && c.testnet == bools[i].v &&
			    c.enforce_zk_nyms == bools[i].v, "%d errors", n);
		T_END();
	}
}

static void
test_addresses(void)
{
	static const struct {
		const char	*in, *text;	/* text NULL: an error */
		int		 family, port;
	} addrs[] = {
		{ "127.0.0.1:9900", "127.0.0.1:9900", AF_INET, 9900 },
		{ "0.0.0.0:1", "0.0.0.0:1", AF_INET, 1 },
		{ "192.0.2.1:65535", "192.0.2.1:65535", AF_INET, 65535 },
		{ "[::1]:9900", "[::1]:9900", AF_INET6, 9900 },
		{ "[::]:9900", "[::]:9900", AF_INET6, 9900 },
		{ "[2001:DB8:0:0::1]:443", "[2001:db8::1]:443", AF_INET6,
		    443 },
		{ "[::ffff:192.0.2.1]:80", "[::ffff:192.0.2.1]:80", AF_INET6,
		    80 },
		{ "127.0.0.1", NULL, 0, 0 }, { "127.0.0.1:", NULL, 0, 0 },
		{ ":9000", NULL, 0, 0 }, { "127.0.0.1:0", NULL, 0, 0 },
		{ "127.0.0.1:65536", NULL, 0, 0 },
		{ "127.0.0.1:-1", NULL, 0, 0 },
		{ "127.0.0.1:+80", NULL, 0, 0 },
		{ "127.0.0.1:80x", NULL, 0, 0 },
		{ "127.1:80", NULL, 0, 0 }, { "1.2.3.4.5:80", NULL, 0, 0 },
		{ "localhost:80", NULL, 0, 0 }, { "::1:80", NULL, 0, 0 },
		{ "[::1]", NULL, 0, 0 }, { "[::1]80", NULL, 0, 0 },
		{ "[::1:80", NULL, 0, 0 }, { "[]:80", NULL, 0, 0 },
		{ "[fe80::1%eth0]:80", NULL, 0, 0 },
		{ "[1.2.3.4]:80", NULL, 0, 0 },
		{ "[::1]:80:80", NULL, 0, 0 },
		{ "[0000:0000:0000:0000:0000:0000:0000:0000:0000]:80", NULL,
		    0, 0 },
	};
	struct gw_config	 c;
	const struct gw_listen	*l;
	char			 text[256], name[96];
	size_t			 i;
	int			 n, port;

	for (i = 0; i < nitems(addrs); i++) {
		snprintf(name, sizeof(name), "address \"%s\"", addrs[i].in);
		T_BEGIN(name);
		snprintf(text, sizeof(text), H "listen:\n  http: \"%s\"\n",
		    addrs[i].in);
		n = parse(&c, text, NULL);
		l = &c.listen_http.addr[0];
		if (addrs[i].text == NULL) {
			CHECKF(n == 1, "%d errors", n);
			CHECK(c.listen_http.n == 2);	/* the default */
		} else {
			port = ntohs(((const struct sockaddr_in *)
			    (const void *)&l->ss)->sin_port);
			CHECKF(n == 0, "%d errors", n);
			CHECK(c.listen_http.n == 1);
			CHECKF(strcmp(l->text, addrs[i].text) == 0, "%s",
			    l->text);
			CHECK(l->ss.ss_family == addrs[i].family);
			CHECK(l->sslen == (addrs[i].family == AF_INET ?
			    sizeof(struct sockaddr_in) :
			    sizeof(struct sockaddr_in6)));
			CHECK(port == addrs[i].port);
		}
		T_END();
	}

	T_BEGIN("address lists, IPv4 and IPv6 side by side");
	n = parse(&c, "listen:\n  clients: [\"0.0.0.0:9000\", "
	    "\"[::]:9000\", \"127.0.0.1:9001\"]\n  mix: \"[::1]:1789\"\n",
	    NULL);
	CHECK(n == 0);
	CHECK(c.listen_clients.n == 3 && c.listen_mix.n == 1);
	CHECK(strcmp(c.listen_mix.addr[0].text, "[::1]:1789") == 0);
	T_END();
}

static void
test_announce(void)
{
	struct gw_config	 c;
	char			 b[GW_HOST_MAX];
	int			 n;

	T_BEGIN("announce: host, else first non-wildcard clients address");
	n = parse(&c, "announce:\n  host: gw.example.org\n  ws_port: 443\n"
	    "  wss_port: 9001\n  public_ips: 192.0.2.1\n", NULL);
	CHECK(n == 0);
	CHECK(strcmp(config_announce_host(&c, b, sizeof(b)),
	    "gw.example.org") == 0);
	CHECK(config_announce_ws_port(&c) == 443);
	CHECK(c.announce_wss_port == 9001);
	n = parse(&c, "listen:\n  clients: [\"[::]:9100\", "
	    "\"[2001:db8::7]:9101\", \"192.0.2.7:9100\"]\n", NULL);
	CHECK(n == 0);
	CHECK(strcmp(config_announce_host(&c, b, sizeof(b)),
	    "2001:db8::7") == 0);
	CHECK(config_announce_ws_port(&c) == 9100);
	n = parse(&c, "announce:\n  host: \"\"\nlisten:\n  clients: "
	    "127.0.0.1:9000\n", NULL);
	CHECK(n == 0);
	CHECK(strcmp(config_announce_host(&c, b, sizeof(b)),
	    "127.0.0.1") == 0);
	T_END();
}

/* host-information's ip_address: never empty (issue 14 item 5). */
static void
test_public_ips(void)
{
	struct gw_config	 c;
	char			 ips[GW_MAX_PUBLIC_IPS][GW_IP_TEXT_MAX];
	char			*msgs;
	int			 n;

	T_BEGIN("public_ips: listed ones, normalized, win over listeners");
	n = parse(&c, "announce:\n  host: gw.example.org\n  public_ips: "
	    "[\"2001:DB8:0::7\", 198.51.100.3, 198.51.100.3]\nlisten:\n"
	    "  clients: 127.0.0.1:9000\n", &msgs);
	CHECKF(n == 0, "%s", msgs);
	free(msgs);
	CHECK(config_announce_ips(&c, ips) == 2);
	CHECK(strcmp(ips[0], "2001:db8::7") == 0);
	CHECK(strcmp(ips[1], "198.51.100.3") == 0);
	T_END();

	T_BEGIN("public_ips: none given, the non-wildcard listeners, once");
	n = parse(&c, "announce:\n  host: gw.example.org\n  public_ips: []\n"
	    "listen:\n  clients: [\"0.0.0.0:9000\", \"[2001:db8::9]:9000\"]\n"
	    "  mix: [\"198.51.100.4:1789\", \"[2001:db8::9]:1789\"]\n"
	    "  http: \"[::]:8080\"\n", &msgs);
	CHECKF(n == 0, "%s", msgs);
	free(msgs);
	CHECK(config_announce_ips(&c, ips) == 2);
	CHECK(strcmp(ips[0], "2001:db8::9") == 0);
	CHECK(strcmp(ips[1], "198.51.100.4") == 0);
	T_END();

	T_BEGIN("public_ips: wildcards only and a host name: refused");
	n = parse(&c, "announce:\n  host: gw.example.org\n", &msgs);
	CHECKF(n == 1 && strstr(msgs, "announce.public_ips") != NULL, "%s",
	    msgs);
	free(msgs);
	T_END();

	T_BEGIN("public_ips: an address host counts, wildcards and names "
	    "refused");
	n = parse(&c, "announce:\n  host: 192.0.2.8\n", &msgs);
	CHECKF(n == 0, "%s", msgs);
	free(msgs);
	CHECK(config_announce_ips(&c, ips) == 1 &&
	    strcmp(ips[0], "192.0.2.8") == 0);
	n = parse(&c, H "", NULL);
	CHECK(n == 0);
	n = parse(&c, "announce:\n  host: h\n  public_ips: [0.0.0.0, \"::\", "
	    "224.0.0.1, \"ff02::1\", gw.example.org, \"[::1]\", "
	    "\"192.0.2.1:80\"]\n", &msgs);
	CHECKF(n == 7, "%d: %s", n, msgs);
	CHECK(strstr(msgs, "0.0.0.0 is a wildcard or multicast") != NULL);
	CHECK(strstr(msgs, "\"gw.example.org\" is not a numeric") != NULL);
	free(msgs);
	T_END();

	T_BEGIN("operator.accept_terms: false unless said");
	n = parse(&c, H "", NULL);
	CHECK(n == 0 && c.accept_terms == 0);
	n = parse(&c, H "operator:\n  accept_terms: yes\n", NULL);
	CHECK(n == 0 && c.accept_terms == 1);
	T_END();
}

static void
test_misc_accepts(void)
{
	struct gw_config	 c;
	char			*msgs;
	int			 n;

	T_BEGIN("relative paths, URL gets its final slash, empty section");
	n = parse(&c, H "paths:\n  keys: ./run/keys\n  data: run/data\n"
	    "nym_api:\n  urls: [\"http://127.0.0.1:8000/api\", "
	    "\"HTTPS://nym.example/\"]\nmixnet:\ncredentials: {}\n", &msgs);
	CHECKF(n == 0, "%s", msgs);
	CHECK(strcmp(c.keys_dir, "./run/keys") == 0);
	CHECK(strcmp(c.data_dir, "run/data") == 0);
	CHECK(c.n_nym_api_urls == 2);
	CHECK(strcmp(c.nym_api_urls[0], "http://127.0.0.1:8000/api/") == 0);
	CHECK(strcmp(c.nym_api_urls[1], "HTTPS://nym.example/") == 0);
	free(msgs);
	T_END();

	T_BEGIN("a longer default is overwritten cleanly");
	n = parse(&c, H "paths:\n  keys: /k\n", NULL);
	CHECK(n == 0 && strcmp(c.keys_dir, "/k") == 0);
	CHECK(c.keys_dir[3] == '\0' && c.keys_dir[10] == '\0');
	T_END();

	T_BEGIN("flow style and document markers");
	n = parse(&c, "---\n{announce: {host: h, public_ips: [192.0.2.1]}, limits: "
	    "{max_connections: 5}}\n...\n", &msgs);
	CHECKF(n == 0, "%s", msgs);
	CHECK(c.max_connections == 5);
	free(msgs);
	T_END();

	T_BEGIN("NULL errfp still counts");
	n = config_parse_buffer(&c, "x", "colour: 1\n", 10, NULL);
	CHECK(n == 2);
	T_END();
}

static int
roundtrip(const struct gw_config *a, char **out)
{
	struct gw_config	 b;
	FILE			*fp;
	char			*buf = NULL;
	size_t			 len;
	int			 n;

	fp = open_memstream(&buf, &len);
	config_print(a, fp);
	fclose(fp);
	n = config_parse_buffer(&b, "printed", buf, len, stderr);
	*out = buf;
	if (n != 0)
		return -1;
	return memcmp(a, &b, sizeof(b)) == 0 ? 0 : -1;
}

static void
test_roundtrip(void)
{
	struct gw_config	 c;
	char			 path[PATH_MAX], *out, *msgs;
	int			 n;

	T_BEGIN("round trip: example");
	n = config_parse_file(&c, example_path(path, sizeof(path)), stderr);
	CHECK(n == 0);
	/* a buffer parse has no path */
	memset(c.path, 0, sizeof(c.path));
	CHECK(roundtrip(&c, &out) == 0);
	CHECK(strstr(out, "  idle_timeout: 5m\n") != NULL);
	CHECK(strstr(out, "  map_size: 1G\n") != NULL);
	CHECK(strstr(out, "    - \"[::]:9000\"\n") != NULL);
	free(out);
	T_END();

	T_BEGIN("round trip: every key changed, awkward values");
	n = parse(&c,
	    "user: a.b-c_\nstorage_user: yes\n"
	    "paths:\n  keys: \"/a b/#c: d\"\n  data: \"-x\"\n"
	    "  chroot: \"/\\\"q\\\"\\\\\"\n"
	    "  control_socket: \"/s/\xc3\xa9t\xc3\xa9\"\n"
	    "announce:\n  host: \"::1\"\n  ws_port: 1\n  wss_port: 65535\n"
	    "listen:\n  clients: [\"[::1]:1\", \"10.0.0.1:2\"]\n"
	    "  mix: 10.0.0.1:3\n  http: [\"[fe80::1]:4\"]\n"
	    "nym_api:\n  urls: [\"http://a/#x\", \"https://b:1/c?d=e\"]\n"
	    "  timeout: 61s\n"
	    "  ca_file: /etc/ssl/x.pem\n"
	    "credentials:\n  enforce_zk_nyms: yes\n  cosmos_address: "
	    "N1QQQSYQCYQ5RQWZQFPG9SCRGWPUGPZYSN3JXCWU\n"
	    "mixnet:\n  testnet: yes\n"
	    "upgrade_mode:\n  attestation_url: \"\"\n"
	    "  attester_public_key: 11111111111111111111111111111111\n"
	    "limits:\n  max_connections: 1\n  max_connections_per_address: "
	    "1000000\n  max_mix_connections: 3\n  max_message_size: 33793\n"
	    "  handshake_timeout: 1001ms\n  idle_timeout: 7d\n"
	    "  mix_read_timeout: 3600\n"
	    "storage:\n  map_size: 17825792\n  inbox_retention: 90s\n"
	    "  inbox_max_messages: 1\n  commit_interval: 0ms\n"
	    "  commit_batch: 65536\n", &msgs);
	CHECKF(n == 0, "%s", msgs);
	CHECK(strcmp(c.storage_user, "yes") == 0);
	CHECK(strcmp(c.chroot_dir, "/\"q\"\\") == 0);
	CHECK(roundtrip(&c, &out) == 0);
	CHECK(strstr(out, "  handshake_timeout: 1001ms\n") != NULL);
	CHECK(strstr(out, "  mix_read_timeout: 1h\n") != NULL);
	CHECK(strstr(out, "  map_size: 17M\n") != NULL);
	CHECK(strstr(out, "  max_message_size: 33793\n") != NULL);
	CHECK(strstr(out, "  inbox_retention: 90s\n") != NULL);
	CHECK(strstr(out, "  commit_interval: 0ms\n") != NULL);
	free(out);
	free(msgs);
	T_END();

	T_BEGIN("round trip: YAML line breaks and a BOM inside a value");
	n = parse(&c, H "paths:\n  data: \"/a\\Nb\\Lc\\Pd\\_e\\x80\\uFEFF\\x85\"\n"
	    "  keys: \"/\\x9f \\U0001F600 x\"\n", &msgs);
	CHECKF(n == 0, "%s", msgs);
	CHECK(strcmp(c.data_dir, "/a\xc2\x85" "b\xe2\x80\xa8" "c\xe2\x80\xa9"
	    "d\xc2\xa0" "e\xc2\x80\xef\xbb\xbf\xc2\x85") == 0);
	CHECK(roundtrip(&c, &out) == 0);
	free(out);
	free(msgs);
	T_END();

	T_BEGIN("round trip: defaults with a host");
	n = parse(&c, H, NULL);
	CHECK(n == 0);
	CHECK(roundtrip(&c, &out) == 0);
	free(out);
	T_END();
}

/* metrics.access_token: a bearer token, never printed back. */
static void
test_token(void)
{
	struct gw_config	 c;
	FILE			*fp;
	char			*msgs, *out = NULL;
	size_t			 len;
	int			 n;

	T_BEGIN("metrics.access_token: accepted, reloadable, redacted");
	n = parse(&c, H "metrics:\n  access_token: \"aB3-._~+/x==\"\n",
	    &msgs);
	CHECKF(n == 0, "%s", msgs);
	CHECK(strcmp(c.metrics_token, "aB3-._~+/x==") == 0);
	fp = open_memstream(&out, &len);
	config_print(&c, fp);
	fclose(fp);
	CHECK(strstr(out, "  access_token: \"(set)\"\n") != NULL);
	CHECK(strstr(out, "aB3") == NULL);
	free(out);
	free(msgs);
	T_END();

	T_BEGIN("metrics.access_token: not a b64token is an error, unechoed");
	n = parse(&c, H "metrics:\n  access_token: \"se cret\"\n", &msgs);
	CHECK(n == 1 && strstr(msgs, "metrics.access_token") != NULL &&
	    strstr(msgs, "se cret") == NULL);
	free(msgs);
	n = parse(&c, H "metrics:\n  access_token: \"=x\"\n", &msgs);
	CHECK(n == 1);
	free(msgs);
	n = parse(&c, H "metrics:\n  access_token: \"\"\n", &msgs);
	CHECK(n == 0 && c.metrics_token[0] == '\0');
	free(msgs);
	T_END();
}

static void
test_restart(void)
{
	static const struct {
		const char	*yaml, *key;
	} cases[] = {
		{ "limits:\n  max_connections: 5\n", NULL },
		{ "storage:\n  commit_interval: 1ms\n  commit_batch: 1\n"
		    "  inbox_retention: 1h\n", NULL },
		{ "nym_api:\n  urls: http://x/\n  timeout: 3s\n"
		    "credentials:\n  enforce_zk_nyms: true\n  cosmos_address: "
		    "n1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn3jxcwu\n", NULL },
		{ "upgrade_mode:\n  attestation_url: http://x/a.json\n",
		    NULL },
		{ "mixnet:\n  testnet: no\n", NULL },
		{ "announce:\n  host: other.example\n  ws_port: 1\n"
		    "  wss_port: 443\n  public_ips: [2001:db8::1]\n", NULL },
		{ "operator:\n  accept_terms: true\n", NULL },
		{ "mixnet:\n  testnet: true\n", "mixnet.testnet" },
		{ "user: other\n", "user" },
		{ "storage_user: other\n", "storage_user" },
		{ "paths:\n  keys: /k\n", "paths.keys" },
		{ "paths:\n  data: /d\n", "paths.data" },
		{ "paths:\n  chroot: /c\n", "paths.chroot" },
		{ "paths:\n  control_socket: /s\n", "paths.control_socket" },
		{ "listen:\n  clients: \"[::]:9000\"\n", "listen.clients" },
		{ "listen:\n  mix: [\"[::]:1789\", \"0.0.0.0:1789\"]\n",
		    "listen.mix" },
		{ "listen:\n  http: [\"0.0.0.0:8081\", \"[::]:8080\"]\n",
		    "listen.http" },
		{ "storage:\n  map_size: 2G\n", "storage.map_size" },
		{ "limits:\n  idle_timeout: 1s\npaths:\n  data: /d\n"
		    "user: u\n", "user" },
	};
	struct gw_config	 old, new;
	char			 text[512], name[96];
	const char		*k;
	size_t			 i;
	int			 n;

	n = parse(&old, H, NULL);
	for (i = 0; i < nitems(cases); i++) {
		snprintf(name, sizeof(name), "restart key %s",
		    cases[i].key ? cases[i].key : "(none)");
		T_BEGIN(name);
		CHECK(n == 0);
		/* announce is H's own section: not twice */
		snprintf(text, sizeof(text), "%s%s", strncmp(cases[i].yaml,
		    "announce:", 9) == 0 ? "" : H, cases[i].yaml);
		CHECK(parse(&new, text, NULL) == 0);
		k = config_restart_key(&old, &new);
		if (cases[i].key == NULL)
			CHECKF(k == NULL, "got %s", k);
		else
			CHECKF(k != NULL && strcmp(k, cases[i].key) == 0,
			    "got %s", k ? k : "NULL");
		CHECK(config_restart_key(&old, &old) == NULL);
		T_END();
	}
}

int
main(void)
{
	test_defaults();
	test_example();
	test_errors();
	test_many_errors();
	test_files();
	test_durations();
	test_sizes();
	test_bools();
	test_addresses();
	test_announce();
	test_public_ips();
	test_misc_accepts();
	test_roundtrip();
	test_token();
	test_restart();
	return t_done();
}
