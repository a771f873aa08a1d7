/*
 * The normalized config (gatewayd -nv) and the restart test for reload,
 * both driven by the key table in config.c.  What config_print() writes
 * parses back to the same struct: the config regress tests depend on it.
 */
#include <sys/socket.h>

#include <string.h>

#include "config.h"
#include "config_int.h"
#include "util.h"

static const struct {
	char		 suffix[3];
	uint64_t	 ms;
} dur_units[] = {
	{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 },
};

void
config_fmt_duration(char *buf, size_t len, uint64_t ms)
{
	size_t	 i;

	for (i = 0; i < nitems(dur_units); i++)
		if (ms != 0 && ms % dur_units[i].ms == 0) {
			snprintf(buf, len, "%llu%s", (unsigned long long)
			    (ms / dur_units[i].ms), dur_units[i].suffix);
			return;
		}
	snprintf(buf, len, "%llums", (unsigned long long)ms);
}

void
config_fmt_size(char *buf, size_t len, uint64_t n)
{
	static const char	 suffix[] = "GMK";
	uint64_t		 unit = 1024ULL * 1024 * 1024;
	size_t			 i;

	for (i = 0; i < 3; i++, unit /= 1024)
		if (n != 0 && n % unit == 0) {
			snprintf(buf, len, "%llu%c",
			    (unsigned long long)(n / unit), suffix[i]);
			return;
		}
	snprintf(buf, len, "%llu", (unsigned long long)n);
}

/*
 * The code point of the UTF-8 sequence at s, and its length; 0 for a
 * malformed one (which libyaml never hands us: it checks its input and
 * encodes escapes itself).
 */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t	 n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		*cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		*cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		*cp = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	return n;
}

/*
 * Plain when it cannot be mistaken for YAML syntax, else double-quoted.
 * The parser reads every value by its key's type, so "yes" or "123" as
 * a plain user name come back as the same string.  Inside quotes,
 * controls and every non-ASCII character are escaped, so that it reads
 * back the same whatever a YAML reader refuses or folds (NEL, line and
 * paragraph separators, a BOM, non-characters such as U+FFFE).
 */
void
config_print_scalar(FILE *fp, const char *s)
{
	const unsigned char	*p;
	uint32_t		 cp;
	size_t			 n;
	int			 plain = s[0] != '\0' && s[0] != '-' &&
				    s[0] != '.';

	for (p = (const unsigned char *)s; plain && *p != '\0'; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-", *p) == NULL)
			plain = 0;
	if (plain) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		if ((n = utf8_decode(p, &cp)) == 0) {
			fprintf(fp, "\\x%02x", *p);
			n = 1;
		} else if (cp == '"' || cp == '\\')
			fprintf(fp, "\\%c", (int)cp);
		else if (cp < 0x20 || cp == 0x7f)
			fprintf(fp, "\\x%02x", (unsigned)cp);
		else if (cp > 0xffff)
			fprintf(fp, "\\U%08x", (unsigned)cp);
		else if (cp >= 0x80)
			/* All of it: YAML readers refuse non-characters
			 * (U+FFFE) and fold or drop some separators. */
			fprintf(fp, "\\u%04x", (unsigned)cp);
		else
			fwrite(p, 1, n, fp);
	}
	fputc('"', fp);
}

/* How a value of each type is held: a string, or this many bytes
 * (0: a set compared by its own rule). */
static const struct {
	int	 string;
	size_t	 size;
} ck_held[] = {
	[CK_SECTION] = { 0, 0 },
	[CK_USER] = { 1, 0 }, [CK_PATH] = { 1, 0 }, [CK_HOST] = { 1, 0 },
	[CK_FILE] = { 1, 0 }, [CK_BECH32] = { 1, 0 }, [CK_URL] = { 1, 0 },
	[CK_KEY58] = { 1, 0 }, [CK_TOKEN] = { 1, 0 },
	[CK_PORT] = { 0, sizeof(uint16_t) }, [CK_BOOL] = { 0, sizeof(int) },
	[CK_UINT] = { 0, sizeof(uint32_t) },
	[CK_MSEC] = { 0, sizeof(uint32_t) }, [CK_SEC] = { 0, sizeof(uint32_t) },
	[CK_SIZE32] = { 0, sizeof(uint32_t) },
	[CK_SIZE64] = { 0, sizeof(uint64_t) },
	[CK_LISTEN] = { 0, 0 }, [CK_URLS] = { 0, 0 }, [CK_IPS] = { 0, 0 },
};

static const void *
field(const struct gw_config *c, const struct config_key *k)
{
	return (const char *)c + k->off;
}

static uint32_t
get_u32(const struct gw_config *c, const struct config_key *k)
{
	uint32_t	 v;

	memcpy(&v, field(c, k), sizeof(v));
	return v;
}

static void
print_value(const struct gw_config *c, const struct config_key *k,
    FILE *fp)
{
	const struct gw_listen_set	*set;
	char				 buf[64];
	uint64_t			 v64;
	uint16_t			 v16;
	unsigned			 i;
	int				 b;

	/* A secret is not printed: "(set)" is no token, so a printed
	 * config with one does not pass -n again by accident. */
	if (k->type == CK_TOKEN && *(const char *)field(c, k) != '\0') {
		fputs("\"(set)\"\n", fp);
		return;
	}
	if (ck_held[k->type].string) {
		config_print_scalar(fp, field(c, k));
		fputc('\n', fp);
		return;
	}
	switch (k->type) {
	case CK_PORT:
		memcpy(&v16, field(c, k), sizeof(v16));
		fprintf(fp, "%u\n", (unsigned)v16);
		break;
	case CK_BOOL:
		memcpy(&b, field(c, k), sizeof(b));
		fprintf(fp, "%s\n", b ? "true" : "false");
		break;
	case CK_UINT:
		fprintf(fp, "%lu\n", (unsigned long)get_u32(c, k));
		break;
	case CK_MSEC:
	case CK_SEC:
		v64 = get_u32(c, k);
		if (k->type == CK_SEC)
			v64 *= 1000;
		config_fmt_duration(buf, sizeof(buf), v64);
		fprintf(fp, "%s\n", buf);
		break;
	case CK_SIZE32:
		config_fmt_size(buf, sizeof(buf), get_u32(c, k));
		fprintf(fp, "%s\n", buf);
		break;
	case CK_SIZE64:
		memcpy(&v64, field(c, k), sizeof(v64));
		config_fmt_size(buf, sizeof(buf), v64);
		fprintf(fp, "%s\n", buf);
		break;
	case CK_LISTEN:
		set = field(c, k);
		fputc('\n', fp);
		for (i = 0; i < set->n && i < GW_MAX_LISTEN; i++) {
			fputs("    - ", fp);
			config_print_scalar(fp, set->addr[i].text);
			fputc('\n', fp);
		}
		break;
	case CK_URLS:
		fputc('\n', fp);
		for (i = 0; i < c->n_nym_api_urls && i < GW_MAX_APIURLS; i++) {
			fputs("    - ", fp);
			config_print_scalar(fp, c->nym_api_urls[i]);
			fputc('\n', fp);
		}
		break;
	case CK_IPS:
		if (c->n_announce_ips == 0) {
			fputs(" []\n", fp);	/* derived: see -nv's note */
			break;
		}
		fputc('\n', fp);
		for (i = 0; i < c->n_announce_ips && i < GW_MAX_PUBLIC_IPS;
		    i++) {
			fputs("    - ", fp);
			config_print_scalar(fp, c->announce_ips[i]);
			fputc('\n', fp);
		}
		break;
	default:	/* CK_SECTION */
		fputc('\n', fp);
		break;
	}
}

void
config_print(const struct gw_config *c, FILE *fp)
{
	const struct config_key	*k;
	size_t			 i;

	if (c->path[0] != '\0')
		fprintf(fp, "# %s, normalized\n", c->path);
	for (i = 0; i < config_nkeys; i++) {
		k = &config_keys[i];
		fprintf(fp, "%s%s:%s", k->parent == -1 ? "" : "  ", k->name,
		    k->type == CK_SECTION || k->type == CK_LISTEN ||
		    k->type == CK_URLS || k->type == CK_IPS ? "" : " ");
		print_value(c, k, fp);
	}
}

static int
listen_differs(const struct gw_listen_set *a, const struct gw_listen_set *b)
{
	unsigned	 i;

	if (a->n != b->n)
		return 1;
	for (i = 0; i < a->n && i < GW_MAX_LISTEN; i++)
		if (a->addr[i].sslen != b->addr[i].sslen ||
		    memcmp(&a->addr[i].ss, &b->addr[i].ss,
		    a->addr[i].sslen) != 0)
			return 1;
	return 0;
}

const char *
config_restart_key(const struct gw_config *old, const struct gw_config *new)
{
	const struct config_key	*k;
	size_t			 i;
	int			 differs;

	for (i = 0; i < config_nkeys; i++) {
		k = &config_keys[i];
		if (!k->restart || k->type == CK_SECTION)
			continue;
		if (ck_held[k->type].string)
			differs = strcmp(field(old, k), field(new, k)) != 0;
		else if (k->type == CK_LISTEN)
			differs = listen_differs(field(old, k), field(new, k));
		else if (k->type == CK_URLS)
			differs = old->n_nym_api_urls != new->n_nym_api_urls ||
			    memcmp(old->nym_api_urls, new->nym_api_urls,
			    sizeof(old->nym_api_urls)) != 0;
		else
			differs = memcmp(field(old, k), field(new, k),
			    ck_held[k->type].size) != 0;
		if (differs)
			return k->full;
	}
	return NULL;
}
