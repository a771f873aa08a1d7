/*
 * gatewayd.conf(5): YAML into struct gw_config, with libyaml's event API.
 *
 * The event API rather than the document API because it lets us stop at
 * a nesting depth we choose, refuse aliases before anything is expanded,
 * and walk the schema top-down with no tree of our own.  Every problem is
 * printed as "file:line:col: message" and counted, and parsing goes on so
 * that one run shows all of them; only a YAML syntax error stops it, as
 * libyaml cannot resume after one.  A value with an error leaves its
 * default in place, so the struct is always initialised, but a caller
 * must not use it unless the count is 0.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include "base58.h"
#include "config.h"
#include "config_int.h"
#include "log.h"
#include "util.h"

/* Far above any sane config; bounds what a hostile file can cost us. */
#define CONFIG_MAX_FILE		(1024 * 1024)
/* Our schema is three deep; a little slack for values we skip. */
#define CONFIG_MAX_DEPTH	16
/* How much of a bad value or key to quote back in a message. */
#define CONFIG_SHOW_MAX		64

struct cstate {
	yaml_parser_t		 parser;
	yaml_event_t		 ev;
	int			 have_ev;
	int			 broken;	/* cannot read further */
	int			 depth;
	const char		*name;
	const char		*buf;
	size_t			 len;
	FILE			*errfp;
	int			 errors;
	struct gw_config	*conf;
	int			 seen[K_NKEYS];
	int			 bad[K_NKEYS];	/* had an error */
	yaml_mark_t		 mark[K_NKEYS];
	yaml_mark_t		 lmark[K_NKEYS][GW_MAX_LISTEN];
};

static void	 cerr(struct cstate *, const yaml_mark_t *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	 cnext(struct cstate *);
static void	 cskip(struct cstate *);
static void	 parse_mapping(struct cstate *, int);
static void	 parse_value(struct cstate *, int);

static void
cerr(struct cstate *st, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list	 ap;

	st->errors++;
	if (st->errfp == NULL)
		return;
	fprintf(st->errfp, "%s:%zu:%zu: ", st->name,
	    m != NULL ? m->line + 1 : 1, m != NULL ? m->column + 1 : 1);
	va_start(ap, fmt);
	vfprintf(st->errfp, fmt, ap);
	va_end(ap);
	fputc('\n', st->errfp);
}

/* A value from the file, made safe to quote in one line of a message. */
static const char *
shown(const char *s, char *buf, size_t bufsz)
{
	size_t	 i, n = 0;

	for (i = 0; s[i] != '\0' && n + 4 < bufsz; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[n++] = (c < 0x20 || c == 0x7f || c == '"') ? '?' : (char)c;
	}
	if (s[i] != '\0' && n >= 3) {
		buf[n - 3] = buf[n - 2] = buf[n - 1] = '.';
	}
	buf[n] = '\0';
	return buf;
}

static const char *
event_kind(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return ev->data.scalar.length == 0 &&
		    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ?
		    "an empty value" : "a scalar";
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_ALIAS_EVENT:
		return "an alias";
	default:
		return "something else";
	}
}

static void
syntax_error(struct cstate *st)
{
	yaml_parser_t	*p = &st->parser;
	yaml_mark_t	 m = p->problem_mark;
	const char	*problem = p->problem ? p->problem : "unknown problem";
	size_t		 i;

	if (p->error == YAML_MEMORY_ERROR) {
		cerr(st, NULL, "out of memory");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		/* The reader gives an offset only; find its line. */
		memset(&m, 0, sizeof(m));
		for (i = 0; i < p->problem_offset && i < st->len; i++) {
			if (st->buf[i] == '\n') {
				m.line++;
				m.column = 0;
			} else
				m.column++;
		}
		cerr(st, &m, "YAML syntax error: %s", problem);
		return;
	}
	if (p->context != NULL)
		cerr(st, &m, "YAML syntax error: %s (%s at line %zu, "
		    "column %zu)", problem, p->context,
		    p->context_mark.line + 1, p->context_mark.column + 1);
	else
		cerr(st, &m, "YAML syntax error: %s", problem);
}

/* Read the next event into st->ev; -1 once the stream cannot go on. */
static int
cnext(struct cstate *st)
{
	if (st->broken)
		return -1;
	if (st->have_ev) {
		yaml_event_delete(&st->ev);
		st->have_ev = 0;
	}
	if (!yaml_parser_parse(&st->parser, &st->ev)) {
		syntax_error(st);
		st->broken = 1;
		return -1;
	}
	st->have_ev = 1;
	switch (st->ev.type) {
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (++st->depth > CONFIG_MAX_DEPTH) {
			cerr(st, &st->ev.start_mark, "nesting deeper than %d "
			    "levels", CONFIG_MAX_DEPTH);
			st->broken = 1;
			return -1;
		}
		break;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		st->depth--;
		break;
	default:
		break;
	}
	return 0;
}

/* Skip the node whose first event is st->ev. */
static void
cskip(struct cstate *st)
{
	int	 d;

	if (st->ev.type != YAML_MAPPING_START_EVENT &&
	    st->ev.type != YAML_SEQUENCE_START_EVENT)
		return;
	d = st->depth - 1;
	while (st->depth > d)
		if (cnext(st) == -1)
			return;
}

static int
is_empty_plain(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length == 0 &&
	    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static void
wrong_type(struct cstate *st, int k, const char *want)
{
	if (st->ev.type == YAML_ALIAS_EVENT)
		cerr(st, &st->ev.start_mark, "%s: aliases are not supported",
		    config_keys[k].full);
	else
		cerr(st, &st->ev.start_mark, "%s: expected %s, found %s",
		    config_keys[k].full, want, event_kind(&st->ev));
	cskip(st);
}

/* One nym-api base URL; a missing final '/' is added so that credd can
 * append endpoint paths to it as they are.  A lone URL (CK_URL) names a
 * document and is kept as written. */
static int
parse_url(struct cstate *st, int k, const yaml_mark_t *m, const char *s,
    char *out)
{
	const char	*full = config_keys[k].full;
	int		 slash = config_keys[k].type == CK_URLS;
	char		 b[CONFIG_SHOW_MAX];
	const char	*rest;
	size_t		 len = strlen(s);

	if (strncasecmp(s, "https://", 8) == 0)
		rest = s + 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		rest = s + 7;
	else {
		cerr(st, m, "%s: \"%s\" must start with https:// or http://",
		    full, shown(s, b, sizeof(b)));
		return -1;
	}
	if (*rest == '\0' || *rest == '/') {
		cerr(st, m, "%s: \"%s\" has no host", full,
		    shown(s, b, sizeof(b)));
		return -1;
	}
	for (; *rest != '\0'; rest++)
		if ((unsigned char)*rest <= 0x20 || *rest == 0x7f) {
			cerr(st, m, "%s: \"%s\" contains a space or a control "
			    "character", full, shown(s, b, sizeof(b)));
			return -1;
		}
	if (len + (slash && s[len - 1] != '/') >= GW_URL_MAX) {
		cerr(st, m, "%s: URL too long (at most %d bytes%s)", full,
		    GW_URL_MAX - 1, slash ? " with the final /" : "");
		return -1;
	}
	memset(out, 0, GW_URL_MAX);
	memcpy(out, s, len);
	if (slash && s[len - 1] != '/')
		out[len++] = '/';
	out[len] = '\0';
	return 0;
}

static int
parse_number(struct cstate *st, int k, const yaml_mark_t *m, const char *s,
    long long *out)
{
	const struct config_key	*ck = &config_keys[k];
	char			 b[CONFIG_SHOW_MAX], lo[32], hi[32];
	const char		*what, *errstr;
	long long		 v = 0;
	int			 rc;

	switch (ck->type) {
	case CK_MSEC:
	case CK_SEC:
		rc = config_parse_scaled(s, config_duration_units, MS_S, &v);
		what = "duration";
		config_fmt_duration(lo, sizeof(lo), (uint64_t)ck->min);
		config_fmt_duration(hi, sizeof(hi), (uint64_t)ck->max);
		break;
	case CK_SIZE32:
	case CK_SIZE64:
		rc = config_parse_scaled(s, config_size_units, 1, &v);
		what = "size";
		config_fmt_size(lo, sizeof(lo), (uint64_t)ck->min);
		config_fmt_size(hi, sizeof(hi), (uint64_t)ck->max);
		break;
	default:
		what = "integer";
		snprintf(lo, sizeof(lo), "%lld", ck->min);
		snprintf(hi, sizeof(hi), "%lld", ck->max);
		rc = -1;
		if (config_all_digits(s) || (s[0] == '-' && config_all_digits(s + 1))) {
			v = gw_strtonum(s, ck->min, ck->max, &errstr);
			rc = errstr == NULL ? 0 : -2;
		}
		break;
	}
	if (rc == -1) {
		cerr(st, m, "%s: malformed %s \"%s\"%s", ck->full, what,
		    shown(s, b, sizeof(b)), ck->type == CK_MSEC ||
		    ck->type == CK_SEC ? " (expected a number with an "
		    "optional ms, s, m, h or d suffix)" : ck->type ==
		    CK_SIZE32 || ck->type == CK_SIZE64 ? " (expected a number "
		    "with an optional K, M or G suffix)" : "");
		return -1;
	}
	if (rc == -2 || v < ck->min || v > ck->max) {
		cerr(st, m, "%s: %s is out of range (allowed %s to %s)",
		    ck->full, shown(s, b, sizeof(b)), lo, hi);
		return -1;
	}
	if (ck->type == CK_SEC && v % MS_S != 0) {
		cerr(st, m, "%s: %s is not a whole number of seconds",
		    ck->full, shown(s, b, sizeof(b)));
		return -1;
	}
	*out = ck->type == CK_SEC ? v / MS_S : v;
	return 0;
}

static void
parse_scalar(struct cstate *st, int k, const yaml_mark_t *m, const char *s)
{
	const struct config_key	*ck = &config_keys[k];
	char			*field = (char *)st->conf + ck->off;
	char			 b[CONFIG_SHOW_MAX];
	const char		*errstr;
	uint8_t			 key[32];
	size_t			 len = strlen(s);
	long long		 v;

	if (*s == '\0' && ck->type != CK_HOST && ck->type != CK_FILE &&
	    ck->type != CK_BECH32 && ck->type != CK_URL &&
	    ck->type != CK_TOKEN) {
		cerr(st, m, "%s: missing value", ck->full);
		return;
	}
	switch (ck->type) {
	case CK_FILE:
		if (len >= PATH_MAX || config_has_control(s)) {
			cerr(st, m, "%s: too long or contains a control "
			    "character", ck->full);
			return;
		}
		if (*s != '\0' && *s != '/') {
			cerr(st, m, "%s: \"%s\" must be an absolute path",
			    ck->full, shown(s, b, sizeof(b)));
			return;
		}
		memset(field, 0, PATH_MAX);
		gw_strlcpy(field, s, PATH_MAX);
		break;
	case CK_BECH32:
		memset(field, 0, GW_COSMOS_ADDR_MAX);
		if (*s == '\0')
			break;
		if ((errstr = config_bech32_error(s, "n")) != NULL) {
			cerr(st, m, "%s: \"%s\" is not a bech32 n1... "
			    "address: %s", ck->full, shown(s, b, sizeof(b)),
			    errstr);
			return;
		}
		/* BIP-173 allows all upper case; Nym writes lower. */
		for (v = 0; s[v] != '\0'; v++)
			field[v] = (char)tolower((unsigned char)s[v]);
		break;
	case CK_URL:
		if (*s == '\0')
			memset(field, 0, GW_URL_MAX);
		else
			(void)parse_url(st, k, m, s, field);
		break;
	case CK_TOKEN:
		/* Never echoed: the value is a secret. */
		if (len >= GW_TOKEN_MAX || !config_valid_token(s)) {
			cerr(st, m, "%s: not a bearer token (at most %d of "
			    "A-Z a-z 0-9 - . _ ~ + / then =)", ck->full,
			    GW_TOKEN_MAX - 1);
			return;
		}
		memset(field, 0, GW_TOKEN_MAX);
		gw_strlcpy(field, s, GW_TOKEN_MAX);
		break;
	case CK_KEY58:
		if (len >= GW_KEY58_MAX ||
		    base58_decode(s, key, sizeof(key)) != (int)sizeof(key)) {
			cerr(st, m, "%s: \"%s\" is not a base58 32-byte "
			    "public key", ck->full, shown(s, b, sizeof(b)));
			return;
		}
		memset(field, 0, GW_KEY58_MAX);
		gw_strlcpy(field, s, GW_KEY58_MAX);
		break;
	case CK_USER:
		if (len >= GW_USER_MAX || !config_valid_user(s)) {
			cerr(st, m, "%s: invalid user name \"%s\" (at most %d "
			    "of A-Z a-z 0-9 _ . -, not starting with a digit, "
			    ". or -)", ck->full, shown(s, b, sizeof(b)),
			    GW_USER_MAX - 1);
			return;
		}
		if (strcmp(s, "root") == 0) {
			cerr(st, m, "%s: must not be root: the workers would "
			    "keep every privilege", ck->full);
			return;
		}
		/* Zeroed first: the struct travels to workers whole. */
		memset(field, 0, GW_USER_MAX);
		gw_strlcpy(field, s, GW_USER_MAX);
		break;
	case CK_PATH:
	case CK_HOST:
		if (len >= (ck->type == CK_PATH ? PATH_MAX : GW_HOST_MAX)) {
			cerr(st, m, "%s: too long (at most %d bytes)", ck->full,
			    (ck->type == CK_PATH ? PATH_MAX : GW_HOST_MAX) - 1);
			return;
		}
		if (config_has_control(s)) {
			cerr(st, m, "%s: contains a control character",
			    ck->full);
			return;
		}
		if (ck->type == CK_HOST && strspn(s, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") != len) {
			cerr(st, m, "%s: \"%s\" is not a host name or an IP "
			    "address (IPv6 goes without brackets)", ck->full,
			    shown(s, b, sizeof(b)));
			return;
		}
		memset(field, 0, ck->type == CK_PATH ? PATH_MAX : GW_HOST_MAX);
		gw_strlcpy(field, s, ck->type == CK_PATH ? PATH_MAX :
		    GW_HOST_MAX);
		break;
	case CK_BOOL:
		if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0)
			*(int *)(void *)field = 1;
		else if (strcasecmp(s, "false") == 0 ||
		    strcasecmp(s, "no") == 0)
			*(int *)(void *)field = 0;
		else
			cerr(st, m, "%s: malformed boolean \"%s\" (expected "
			    "true, false, yes or no)", ck->full,
			    shown(s, b, sizeof(b)));
		break;
	case CK_PORT:
		if (parse_number(st, k, m, s, &v) == 0)
			*(uint16_t *)(void *)field = (uint16_t)v;
		break;
	case CK_SIZE64:
		if (parse_number(st, k, m, s, &v) == 0)
			*(uint64_t *)(void *)field = (uint64_t)v;
		break;
	default:	/* every uint32_t kind */
		if (parse_number(st, k, m, s, &v) == 0)
			*(uint32_t *)(void *)field = (uint32_t)v;
		break;
	}
}

/*
 * One announced address: numeric, without brackets or port, and one a
 * peer could reach, so neither a wildcard nor a multicast group.
 */
static int
parse_ip(struct cstate *st, int k, const yaml_mark_t *m, const char *s,
    char *out)
{
	const char	*full = config_keys[k].full;
	char		 b[CONFIG_SHOW_MAX];
	struct in6_addr	 a6;
	struct in_addr	 a4;
	int		 af;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		af = AF_INET;
		if (a4.s_addr == htonl(INADDR_ANY) ||
		    IN_MULTICAST(ntohl(a4.s_addr))) {
			cerr(st, m, "%s: %s is a wildcard or multicast "
			    "address, which no peer can reach", full, s);
			return -1;
		}
		inet_ntop(af, &a4, out, GW_IP_TEXT_MAX);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6) == 1) {
		af = AF_INET6;
		if (IN6_IS_ADDR_UNSPECIFIED(&a6) || IN6_IS_ADDR_MULTICAST(&a6)) {
			cerr(st, m, "%s: %s is a wildcard or multicast "
			    "address, which no peer can reach", full, s);
			return -1;
		}
		inet_ntop(af, &a6, out, GW_IP_TEXT_MAX);
		return 0;
	}
	cerr(st, m, "%s: \"%s\" is not a numeric IPv4 or IPv6 address "
	    "(no brackets, no port)", full, shown(s, b, sizeof(b)));
	return -1;
}

/* One list item (or the lone scalar) of listen.*, nym_api.urls or
 * announce.public_ips. */
static int
parse_item(struct cstate *st, int k, const char *s, unsigned i,
    struct gw_listen_set *set, char urls[][GW_URL_MAX],
    char ips[][GW_IP_TEXT_MAX])
{
	const yaml_mark_t	*m = &st->ev.start_mark;
	const char		*full = config_keys[k].full;
	char			 b[CONFIG_SHOW_MAX];

	if (config_keys[k].type == CK_URLS)
		return parse_url(st, k, m, s, urls[i]);
	if (config_keys[k].type == CK_IPS)
		return parse_ip(st, k, m, s, ips[i]);
	switch (config_parse_listen(s, &set->addr[i])) {
	case LISTEN_OK:
		st->lmark[k][i] = *m;
		return 0;
	case LISTEN_EBRACKETS:
		cerr(st, m, "%s: malformed address \"%s\" (write IPv6 as "
		    "[addr]:port)", full, shown(s, b, sizeof(b)));
		break;
	case LISTEN_EPORT:
		cerr(st, m, "%s: port of \"%s\" is out of range (allowed 1 "
		    "to 65535)", full, shown(s, b, sizeof(b)));
		break;
	default:
		cerr(st, m, "%s: malformed address \"%s\" (expected "
		    "IPv4:port or [IPv6]:port, numeric)", full,
		    shown(s, b, sizeof(b)));
		break;
	}
	return -1;
}

static void
list_store(struct cstate *st, const struct config_key *ck,
    struct gw_listen_set *set, char urls[][GW_URL_MAX],
    char ips[][GW_IP_TEXT_MAX], unsigned n)
{
	if (ck->type == CK_URLS) {
		memcpy(st->conf->nym_api_urls, urls,
		    sizeof(st->conf->nym_api_urls));
		st->conf->n_nym_api_urls = n;
	} else if (ck->type == CK_IPS) {
		memcpy(st->conf->announce_ips, ips,
		    sizeof(st->conf->announce_ips));
		st->conf->n_announce_ips = n;
	} else {
		set->n = n;
		memcpy((char *)st->conf + ck->off, set, sizeof(*set));
	}
}

static void
parse_list(struct cstate *st, int k)
{
	const struct config_key	*ck = &config_keys[k];
	struct gw_listen_set	 set;
	char			 urls[GW_MAX_APIURLS][GW_URL_MAX];
	char			 ips[GW_MAX_PUBLIC_IPS][GW_IP_TEXT_MAX];
	yaml_mark_t		 start = st->ev.start_mark;
	unsigned		 n = 0, max = (unsigned)ck->max;
	int			 bad = 0, seq;
	const char		*what = ck->type == CK_URLS ? "URL" : "address";
	const char		*whats = ck->type == CK_URLS ? "URLs" :
				    "addresses";

	memset(&set, 0, sizeof(set));
	memset(urls, 0, sizeof(urls));
	memset(ips, 0, sizeof(ips));
	if (st->ev.type == YAML_MAPPING_START_EVENT ||
	    st->ev.type == YAML_ALIAS_EVENT) {
		wrong_type(st, k, "a list or a scalar");
		return;
	}
	if (is_empty_plain(&st->ev)) {
		if (ck->min == 0) {	/* "public_ips:" as good as [] */
			list_store(st, ck, &set, urls, ips, 0);
			return;
		}
		cerr(st, &start, "%s: missing value", ck->full);
		return;
	}
	seq = st->ev.type == YAML_SEQUENCE_START_EVENT;
	for (;;) {
		if (seq) {
			if (cnext(st) == -1)
				return;
			if (st->ev.type == YAML_SEQUENCE_END_EVENT)
				break;
			if (st->ev.type != YAML_SCALAR_EVENT) {
				wrong_type(st, k, "a scalar in the list");
				bad = 1;
				n++;
				continue;
			}
			if (strlen((const char *)st->ev.data.scalar.value) !=
			    st->ev.data.scalar.length) {
				cerr(st, &st->ev.start_mark, "%s: value "
				    "contains a NUL byte", ck->full);
				bad = 1;
				n++;
				continue;
			}
		}
		if (n == max) {
			cerr(st, &st->ev.start_mark, "%s: too many %s (at "
			    "most %u)", ck->full, whats, max);
			bad = 1;
		} else if (n < max && parse_item(st, k,
		    (const char *)st->ev.data.scalar.value, n, &set,
		    urls, ips) == -1)
			bad = 1;
		n++;
		if (!seq)
			break;
	}
	if (n < (unsigned)ck->min) {
		cerr(st, &start, "%s: needs at least one %s", ck->full, what);
		return;
	}
	if (bad)
		return;
	list_store(st, ck, &set, urls, ips, n);
}

static void
parse_value(struct cstate *st, int k)
{
	const struct config_key	*ck = &config_keys[k];
	const yaml_event_t	*ev = &st->ev;

	if (ck->type == CK_SECTION) {
		if (ev->type == YAML_MAPPING_START_EVENT)
			parse_mapping(st, k);
		else if (!is_empty_plain(ev))	/* empty: all defaults */
			wrong_type(st, k, "a mapping");
		return;
	}
	if (ev->type == YAML_SCALAR_EVENT && strlen((const char *)
	    ev->data.scalar.value) != ev->data.scalar.length) {
		cerr(st, &ev->start_mark, "%s: value contains a NUL byte",
		    ck->full);
		return;
	}
	if (ck->type == CK_LISTEN || ck->type == CK_URLS ||
	    ck->type == CK_IPS) {
		parse_list(st, k);
		return;
	}
	if (ev->type != YAML_SCALAR_EVENT) {
		wrong_type(st, k, "a scalar");
		return;
	}
	parse_scalar(st, k, &ev->start_mark,
	    (const char *)ev->data.scalar.value);
}

static int
find_key(int parent, const char *name, size_t len)
{
	size_t	 i;

	if (strlen(name) != len)
		return -1;
	for (i = 0; i < config_nkeys; i++)
		if (config_keys[i].parent == parent &&
		    strcmp(config_keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The mapping whose MAPPING_START is st->ev; parent is its key or -1. */
static void
parse_mapping(struct cstate *st, int parent)
{
	char		 b[CONFIG_SHOW_MAX];
	yaml_mark_t	 km;
	int		 k, n;

	for (;;) {
		if (cnext(st) == -1 || st->ev.type == YAML_MAPPING_END_EVENT)
			return;
		km = st->ev.start_mark;
		if (st->ev.type != YAML_SCALAR_EVENT) {
			cerr(st, &km, "a key must be a scalar, found %s",
			    event_kind(&st->ev));
			cskip(st);
			if (cnext(st) == -1)
				return;
			cskip(st);
			continue;
		}
		k = find_key(parent, (const char *)st->ev.data.scalar.value,
		    st->ev.data.scalar.length);
		if (k == -1)
			cerr(st, &km, "unknown key \"%s\"%s%s",
			    shown((const char *)st->ev.data.scalar.value, b,
			    sizeof(b)), parent == -1 ? "" : " in ",
			    parent == -1 ? "" : config_keys[parent].full);
		else if (st->seen[k])
			cerr(st, &km, "duplicate key \"%s\" (first at line "
			    "%zu)", config_keys[k].full,
			    st->mark[k].line + 1);
		if (cnext(st) == -1)
			return;
		if (k == -1 || st->seen[k]) {
			cskip(st);
			continue;
		}
		st->seen[k] = 1;
		st->mark[k] = km;
		n = st->errors;
		parse_value(st, k);
		st->bad[k] = st->errors != n;
	}
}

static const yaml_mark_t *
mark_of(const struct cstate *st, int k)
{
	return st->seen[k] ? &st->mark[k] : NULL;
}

static const struct gw_listen_set *
listen_set(const struct gw_config *c, int k)
{
	return (const struct gw_listen_set *)(const void *)
	    ((const char *)c + config_keys[k].off);
}

/*
 * Addresses that could not both be bound, within one list or across
 * two.  A list that had an error holds its default and is not checked.
 */
static void
check_listen(struct cstate *st)
{
	static const int		 lk[] = { K_CLIENTS, K_MIX, K_HTTP,
					    K_VERLOC };
	const struct gw_listen_set	*a, *b;
	const yaml_mark_t		*m;
	size_t				 i, j;
	unsigned			 x, y;

	for (i = 0; i < nitems(lk); i++)
		for (j = i; j < nitems(lk); j++) {
			if (st->bad[lk[i]] || st->bad[lk[j]])
				continue;
			a = listen_set(st->conf, lk[i]);
			b = listen_set(st->conf, lk[j]);
			for (x = 0; x < a->n; x++)
				for (y = i == j ? x + 1 : 0; y < b->n; y++) {
					if (!config_listen_conflict(&a->addr[x],
					    &b->addr[y]))
						continue;
					/* point at whichever the file wrote */
					m = st->seen[lk[j]] ?
					    &st->lmark[lk[j]][y] :
					    &st->lmark[lk[i]][x];
					cerr(st, m, "%s: %s conflicts with %s "
					    "of %s", config_keys[lk[j]].full,
					    b->addr[y].text, a->addr[x].text,
					    config_keys[lk[i]].full);
				}
		}
}

/* What no single key can check; an earlier error there would only echo. */
static void
check_config(struct cstate *st)
{
	struct gw_config	*c = st->conf;
	char			 ips[GW_MAX_PUBLIC_IPS][GW_IP_TEXT_MAX];
	unsigned		 x;
	int			 wild = 1;

	if (!st->bad[K_USER] && !st->bad[K_STORAGE_USER] &&
	    strcmp(c->user, c->storage_user) == 0)
		cerr(st, mark_of(st, K_STORAGE_USER) ? mark_of(st,
		    K_STORAGE_USER) : mark_of(st, K_USER), "storage_user "
		    "must differ from user, or a compromised worker could "
		    "open the database");

	check_listen(st);

	for (x = 0; x < c->listen_clients.n; x++)
		if (!config_listen_is_wildcard(&c->listen_clients.addr[x]))
			wild = 0;
	if (!st->bad[K_ANNOUNCE] && !st->bad[K_LISTEN] &&
	    c->announce_host[0] == '\0' && wild)
		cerr(st, mark_of(st, K_CLIENTS) ? mark_of(st, K_CLIENTS) :
		    mark_of(st, K_ANNOUNCE), "announce.host is empty and "
		    "every listen.clients address is a wildcard: set "
		    "announce.host to the name or address clients dial");
	/* nym-api takes the node's addresses from host-information. */
	else if (!st->bad[K_ANNOUNCE] && !st->bad[K_LISTEN] &&
	    !st->bad[K_PUBLIC_IPS] && config_announce_ips(c, ips) == 0)
		cerr(st, mark_of(st, K_PUBLIC_IPS) ? mark_of(st,
		    K_PUBLIC_IPS) : mark_of(st, K_ANNOUNCE) ? mark_of(st,
		    K_ANNOUNCE) : mark_of(st, K_LISTEN), "no address to "
		    "announce: every listen address is a wildcard and "
		    "announce.host is a name; list this host's public "
		    "addresses in announce.public_ips");

	/* A nyxd to ask and no contract to ask it about. */
	if (!st->bad[K_NYXD_URL] && !st->bad[K_DKG_CONTRACT] &&
	    c->nyxd_url[0] != '\0' && c->dkg_contract[0] == '\0')
		cerr(st, mark_of(st, K_DKG_CONTRACT) ? mark_of(st,
		    K_DKG_CONTRACT) : mark_of(st, K_NYXD), "nyxd.url is set "
		    "but nyxd.dkg_contract is empty: name the DKG contract, "
		    "or set nyxd.url to \"\" to ask no nyxd");

	/* The signers file tickets under it and refuse an empty one. */
	if (!st->bad[K_ENFORCE_ZK] && !st->bad[K_COSMOS_ADDR] &&
	    c->enforce_zk_nyms && c->cosmos_address[0] == '\0')
		cerr(st, mark_of(st, K_ENFORCE_ZK) ? mark_of(st,
		    K_ENFORCE_ZK) : mark_of(st, K_CREDENTIALS),
		    "credentials.enforce_zk_nyms is true but "
		    "credentials.cosmos_address is not set: the nym-api "
		    "signers need the gateway's n1... account");
}

int
config_parse_buffer(struct gw_config *conf, const char *name,
    const char *buf, size_t len, FILE *errfp)
{
	struct cstate	*st;
	yaml_event_type_t top;
	int		 errors;

	config_defaults(conf);
	/* The marks for every listen item make this too big for a stack. */
	st = xcalloc(1, sizeof(*st));
	st->name = name;
	st->buf = buf;
	st->len = len;
	st->errfp = errfp;
	st->conf = conf;
	if (len > CONFIG_MAX_FILE) {
		cerr(st, NULL, "file too large (%zu bytes, at most %d)", len,
		    CONFIG_MAX_FILE);
		goto done;
	}
	if (!yaml_parser_initialize(&st->parser))
		fatalx("%s: yaml_parser_initialize", __func__);
	yaml_parser_set_input_string(&st->parser, (const unsigned char *)buf,
	    len);

	if (cnext(st) == -1 || cnext(st) == -1)	/* STREAM_START, then */
		goto out;
	if (st->ev.type == YAML_STREAM_END_EVENT) {
		cerr(st, &st->ev.start_mark, "empty configuration");
		goto out;
	}
	if (cnext(st) == -1)			/* past DOCUMENT_START */
		goto out;
	if (is_empty_plain(&st->ev)) {
		cerr(st, &st->ev.start_mark, "empty configuration");
		goto out;
	}
	if ((top = st->ev.type) != YAML_MAPPING_START_EVENT) {
		cerr(st, &st->ev.start_mark, "expected a mapping of keys at "
		    "the top level, found %s", event_kind(&st->ev));
		cskip(st);
	} else
		parse_mapping(st, -1);
	if (cnext(st) == -1 || cnext(st) == -1)	/* DOCUMENT_END, then */
		goto out;
	if (st->ev.type == YAML_DOCUMENT_START_EVENT) {
		cerr(st, &st->ev.start_mark, "only one YAML document is "
		    "allowed");
		goto out;
	}
	/* Checks across keys would only add noise about a non-config. */
	if (top == YAML_MAPPING_START_EVENT)
		check_config(st);
 out:
	if (st->have_ev)
		yaml_event_delete(&st->ev);
	yaml_parser_delete(&st->parser);
 done:
	errors = st->errors;
	free(st);
	return errors;
}

int
config_parse_file(struct gw_config *conf, const char *path, FILE *errfp)
{
	struct stat	 sb;
	char		*buf = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, errors, saved;

	config_defaults(conf);
	/* Not gw_read_file(): a config file may well be a symlink. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto fail;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (!S_ISREG(sb.st_mode)) {
		errno = S_ISDIR(sb.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	/* Read one byte more than allowed so that growth is noticed. */
	buf = xmalloc(CONFIG_MAX_FILE + 2);
	while (len < CONFIG_MAX_FILE + 1) {
		n = read(fd, buf + len, CONFIG_MAX_FILE + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	errors = config_parse_buffer(conf, path, buf, len, errfp);
	free(buf);
	gw_strlcpy(conf->path, path, sizeof(conf->path));
	return errors;
 fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	free(buf);
	if (errfp != NULL)
		fprintf(errfp, "%s: cannot read: %s\n", path,
		    strerror(saved));
	gw_strlcpy(conf->path, path, sizeof(conf->path));
	return 1;
}

