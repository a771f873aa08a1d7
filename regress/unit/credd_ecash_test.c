/*
 * Local zk-nym verification (credd/ecash) on the committed fixtures of
 * regress/ecash/ticketgen.mjs: tickets issued through Nym's own wasm and
 * spent by our spender, the test master key as nym-api serves it.  Every
 * genuine ticket must verify at its own "now" (the injected clock), and
 * every mutation be refused, for the reason it breaks: pay_info, the
 * next day, wrong keys, the ticket type, duplicate serials, every single
 * bit flip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "credd/credd.h"
#include "credd/ecash/ecash.h"
#include "testlib.h"

#define FIXTURE		"regress/vectors/ecash/tickets.json"
/*
 * All 9960 bit flips cost ~25 s of CPU (each one that stays a valid
 * scalar costs a full decode and spend proof).  The test pass runs them
 * all; the sanitizer pass every 31st (31 is prime to 8, so every bit
 * position comes up), as the fuzzer already drives mutated tickets
 * under ASan there.
 */
#ifdef __SANITIZE_ADDRESS__
#define FLIP_STRIDE	31
#else
#define FLIP_STRIDE	1
#endif
#define TICKETS_MAX	8
#define DAY		86400

struct tk {
	const char	*name;
	uint8_t		*b;
	size_t		 len;
	time_t		 now;
	int		 late;
	int		 t_type;
	const json_t	*fields;
};

static struct {
	json_t		*root;
	uint8_t		 provider[32];
	uint64_t	 epoch;
	struct ecash_vk	*vk, *vk_bytes, *other, *partial[3];
	struct tk	 t[TICKETS_MAX];
	size_t		 nt;
} fx;

static const char *
str(const json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

static struct ecash_vk *
vk_json(const char *k, uint64_t epoch)
{
	const char	*why, *s = str(fx.root, k);

	return ecash_vk_from_json(s, strlen(s), epoch, &why);
}

static struct ecash_vk *
vk_hex(const char *hex, uint64_t epoch)
{
	struct ecash_vk	*vk;
	const char	*why;
	uint8_t		*b;
	size_t		 n;

	if ((b = t_unhex_alloc(hex, &n)) == NULL)
		return NULL;
	vk = ecash_vk_from_bytes(b, n, epoch, &why);
	free(b);
	return vk;
}

static int
fixture_load(const char *path)
{
	json_error_t	 err;
	const json_t	*ts, *t, *p;
	uint8_t		*b;
	size_t		 i, n;

	if ((fx.root = json_load_file(path, 0, &err)) == NULL)
		return -1;
	fx.epoch = (uint64_t)json_integer_value(json_object_get(fx.root,
	    "epoch_id"));
	if ((b = t_unhex_alloc(str(fx.root, "provider"), &n)) == NULL ||
	    n != 32) {
		free(b);
		return -1;
	}
	memcpy(fx.provider, b, 32);
	free(b);
	fx.vk = vk_json("master_vk_json", fx.epoch);
	fx.vk_bytes = vk_hex(str(fx.root, "master_vk_bytes"), fx.epoch);
	fx.other = vk_json("other_vk_json", fx.epoch);
	p = json_object_get(fx.root, "partial_vk_bytes");
	for (i = 0; i < 3; i++)
		fx.partial[i] = vk_hex(json_string_value(json_array_get(p,
		    i)) ?: "", fx.epoch);
	ts = json_object_get(fx.root, "tickets");
	json_array_foreach(ts, i, t) {
		if (i == TICKETS_MAX)
			break;
		fx.t[i].name = str(t, "name");
		fx.t[i].b = t_unhex_alloc(str(t, "bytes"), &fx.t[i].len);
		fx.t[i].now = (time_t)json_integer_value(json_object_get(t,
		    "now"));
		fx.t[i].late = json_is_true(json_object_get(t, "late"));
		fx.t[i].t_type = (int)json_integer_value(json_object_get(t,
		    "t_type"));
		fx.t[i].fields = json_object_get(t, "fields");
		if (fx.t[i].b == NULL)
			return -1;
		fx.nt++;
	}
	return fx.vk != NULL && fx.nt > 0 ? 0 : -1;
}

/* Where a field of a ticket lies (the generator wrote it down). */
static int
field(const struct tk *t, const char *name, size_t *off, size_t *len)
{
	const json_t	*f;
	size_t		 i;

	json_array_foreach(t->fields, i, f)
		if (strcmp(json_string_value(json_array_get(f, 0)) ?: "",
		    name) == 0) {
			*off = (size_t)json_integer_value(json_array_get(f, 1));
			*len = (size_t)json_integer_value(json_array_get(f, 2));
			return 0;
		}
	return -1;
}

static enum ecash_reason
verify(const struct ecash_vk *vk, const uint8_t *b, size_t len, time_t now,
    struct ecash_result *res)
{
	return ecash_ticket_verify(vk, b, len, fx.provider, now, res);
}

/*
 * The ticket with [off, off + n) replaced by the m bytes of rep, and the
 * payment length fixed up when the payment grew or shrank.
 */
static uint8_t *
splice(const struct tk *t, size_t off, size_t n, const uint8_t *rep,
    size_t m, size_t *len)
{
	uint8_t		*b;
	uint32_t	 plen;

	*len = t->len - n + m;
	b = malloc(*len);
	memcpy(b, t->b, off);
	memcpy(b + off, rep, m);
	memcpy(b + off + m, t->b + off + n, t->len - off - n);
	if (off >= 4 && off < t->len - 84 && n != m) {
		plen = (uint32_t)(*len - 88);
		b[0] = (uint8_t)(plen >> 24);
		b[1] = (uint8_t)(plen >> 16);
		b[2] = (uint8_t)(plen >> 8);
		b[3] = (uint8_t)plen;
	}
	return b;
}

static void
keys(void)
{
	const char	*why, *s = str(fx.root, "master_vk_json");
	size_t		 n;
	struct ecash_vk	*vk;
	char		*bad;

	T_BEGIN("master key: nym-api's JSON and Nym's bytes give one key");
	CHECK(fx.vk != NULL && fx.vk_bytes != NULL);
	CHECK(fx.vk != NULL && fx.vk_bytes != NULL &&
	    ecash_vk_equal(fx.vk, fx.vk_bytes));
	CHECK(fx.vk != NULL && fx.other != NULL &&
	    !ecash_vk_equal(fx.vk, fx.other));
	CHECK(fx.partial[0] != NULL && fx.partial[1] != NULL &&
	    fx.partial[2] != NULL);
	CHECK(fx.vk != NULL && ecash_vk_epoch(fx.vk) == fx.epoch);
	CHECK(fx.vk != NULL && ecash_vk_bytes(fx.vk, &n) != NULL &&
	    n == 96 + 8 + 5 * (48 + 96));
	T_END();

	T_BEGIN("master key: malformed bodies refused with a reason");
	/* alpha's first hex digit: 8 or 9 (compressed) becomes 0 */
	bad = strdup(s);
	bad[strlen("{\"key\":{\"alpha\":\"")] = '0';
	vk = ecash_vk_from_json(bad, strlen(bad), 1, &why);
	CHECK(vk == NULL && why != NULL);
	free(bad);
	CHECK(ecash_vk_from_json("{}", 2, 1, &why) == NULL && why != NULL);
	CHECK(ecash_vk_from_json("nonsense", 8, 1, &why) == NULL);
	CHECK(ecash_vk_from_json(s, strlen(s) - 1, 1, &why) == NULL);
	CHECK(ecash_vk_from_json("{\"key\":{\"alpha\":\"00\",\"beta_g1\":[],"
	    "\"beta_g2\":[]}}", 49, 1, &why) == NULL);
	CHECK(ecash_vk_from_bytes((const uint8_t *)"x", 1, 1, &why) == NULL);
	T_END();
}

static void
keys_short(void)
{
	json_error_t	 err;
	json_t		*root, *key;
	struct ecash_vk	*vk;
	const char	*why, *s = str(fx.root, "master_vk_json");
	char		*body;

	T_BEGIN("master key: too few betas or unequal beta_g1/beta_g2 "
	    "refused");
	root = json_loads(s, 0, &err);
	key = json_object_get(root, "key");
	json_array_remove(json_object_get(key, "beta_g1"), 4);
	body = json_dumps(root, JSON_COMPACT);
	vk = ecash_vk_from_json(body, strlen(body), 1, &why);
	CHECK(vk == NULL && why != NULL && strstr(why, "differ") != NULL);
	free(body);
	json_array_remove(json_object_get(key, "beta_g2"), 4);
	body = json_dumps(root, JSON_COMPACT);
	vk = ecash_vk_from_json(body, strlen(body), 1, &why);
	CHECK(vk != NULL);	/* four betas: enough for tickets */
	ecash_vk_free(vk);
	free(body);
	json_array_remove(json_object_get(key, "beta_g1"), 3);
	json_array_remove(json_object_get(key, "beta_g2"), 3);
	body = json_dumps(root, JSON_COMPACT);
	vk = ecash_vk_from_json(body, strlen(body), 1, &why);
	CHECK(vk == NULL && why != NULL && strstr(why, "short") != NULL);
	free(body);
	json_decref(root);
	T_END();
}

static void
genuine(void)
{
	struct ecash_result	 res;
	char			 name[160];
	size_t			 i;

	for (i = 0; i < fx.nt; i++) {
		snprintf(name, sizeof(name), "genuine ticket verifies at its "
		    "now: %s", fx.t[i].name);
		T_BEGIN(name);
		CHECKF(verify(fx.vk, fx.t[i].b, fx.t[i].len, fx.t[i].now,
		    &res) == ECASH_OK, "%s: %s", ecash_reason_str(res.reason),
		    res.detail);
		CHECK(res.cred_err == CRED_ERR_NONE);
		/* the same through the key read from Nym's bytes */
		CHECK(verify(fx.vk_bytes, fx.t[i].b, fx.t[i].len, fx.t[i].now,
		    &res) == ECASH_OK);
		T_END();
	}
}

/* Real tickets carry no responses_r_k: only zip-to-shortest takes them. */
static void
no_r_k(void)
{
	struct ecash_payment	*m = malloc(sizeof(*m));
	struct ecash_result	 res;
	const struct tk		*t = &fx.t[0];
	const char		*what;
	enum bls_decode		 why;
	uint8_t			*b, rep[34];
	size_t			 off, n, len;

	T_BEGIN("responses_r_k is empty in genuine tickets; one more "
	    "response is a different proof");
	CHECK(ecash_payment_parse(m, t->b, t->len, &what, &why) ==
	    ECASH_PARSE_OK);
	CHECK(m->proof.nr_k == 0 && m->nkappa_k == 1 && m->spend_value == 1);
	/* a zero response: T_kappa_k becomes one entry long */
	CHECK(field(t, "zk_proof.responses_r_k.len", &off, &n) == 0);
	rep[0] = 1;
	rep[1] = 32;
	memset(rep + 2, 0, 32);
	b = splice(t, off, n, rep, sizeof(rep), &len);
	CHECK(verify(fx.vk, b, len, t->now, &res) == ECASH_ERR_PROOF);
	free(b);
	free(m);
	T_END();
}

static void
payinfo_and_clock(void)
{
	struct ecash_result	 res;
	const struct tk		*t = &fx.t[0];
	uint8_t			*b;
	size_t			 off, n;

	T_BEGIN("changed pay_info: the spend proof fails");
	CHECK(field(t, "pay_info.random", &off, &n) == 0);
	b = malloc(t->len);
	memcpy(b, t->b, t->len);
	b[off + 5] ^= 0x10;
	CHECK(verify(fx.vk, b, t->len, t->now, &res) == ECASH_ERR_PROOF);
	CHECK(res.cred_err == CRED_ERR_MALFORMED &&
	    strcmp(res.msg, "the provided ticket failed to get verified") == 0);
	memcpy(b, t->b, t->len);
	CHECK(field(t, "pay_info.provider", &off, &n) == 0);
	b[off] ^= 1;
	CHECK(verify(fx.vk, b, t->len, t->now, &res) == ECASH_ERR_POLICY &&
	    res.cred_err == CRED_ERR_WRONG_PROVIDER);
	free(b);
	T_END();

	T_BEGIN("the clock: pay_info fresh within 30 s, spend date today");
	CHECK(verify(fx.vk, t->b, t->len, t->now + 30, &res) == ECASH_OK);
	CHECK(verify(fx.vk, t->b, t->len, t->now - 30, &res) == ECASH_OK);
	CHECK(verify(fx.vk, t->b, t->len, t->now + 31, &res) ==
	    ECASH_ERR_POLICY && res.cred_err == CRED_ERR_EXPIRED);
	CHECK(verify(fx.vk, t->b, t->len, t->now + DAY, &res) ==
	    ECASH_ERR_POLICY && res.cred_err == CRED_ERR_EXPIRED &&
	    strstr(res.msg, "spending date") != NULL);
	T_END();
}

/* The late ticket, its spend date moved to the next day, spent 20 s
 * later: policy passes, the expiration-date signature must not. */
static void
next_day(void)
{
	struct ecash_result	 res;
	const struct tk		*t = NULL;
	uint8_t			*b;
	size_t			 off, n, i;
	int32_t			 d;

	for (i = 0; i < fx.nt; i++)
		if (fx.t[i].late)
			t = &fx.t[i];
	T_BEGIN("next-day spend date: the expiration signature fails");
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK(field(t, "spend_date", &off, &n) == 0 && n == 4);
		b = malloc(t->len);
		memcpy(b, t->b, t->len);
		d = (int32_t)((uint32_t)b[off] << 24 | (uint32_t)b[off + 1] <<
		    16 | (uint32_t)b[off + 2] << 8 | b[off + 3]) + 1;
		b[off] = (uint8_t)((uint32_t)d >> 24);
		b[off + 1] = (uint8_t)((uint32_t)d >> 16);
		b[off + 2] = (uint8_t)((uint32_t)d >> 8);
		b[off + 3] = (uint8_t)d;
		CHECK(verify(fx.vk, t->b, t->len, t->now, &res) == ECASH_OK);
		CHECK(verify(fx.vk, b, t->len, t->now + 20, &res) ==
		    ECASH_ERR_EXPIRATION);
		CHECK(strstr(res.msg, "expiration date signatures") != NULL);
		free(b);
	}
	T_END();
}

static void
wrong_keys(void)
{
	struct ecash_result	 res;
	struct ecash_vk		*vk;
	const struct tk		*t = &fx.t[1];
	size_t			 i;

	T_BEGIN("wrong key: another master key, each partial key, another "
	    "epoch");
	CHECK(verify(fx.other, t->b, t->len, t->now, &res) ==
	    ECASH_ERR_PROOF);
	for (i = 0; i < 3; i++)
		CHECKF(verify(fx.partial[i], t->b, t->len, t->now, &res) ==
		    ECASH_ERR_PROOF, "partial key %zu: %s", i + 1,
		    ecash_reason_str(res.reason));
	vk = vk_json("master_vk_json", fx.epoch + 1);
	CHECK(vk != NULL && verify(vk, t->b, t->len, t->now, &res) ==
	    ECASH_ERR_EPOCH && res.cred_err == CRED_ERR_UNAVAILABLE);
	ecash_vk_free(vk);
	T_END();
}

static void
ticket_type(void)
{
	struct ecash_result	 res;
	const struct tk		*t;
	uint8_t			*b;
	size_t			 off, n, i;

	T_BEGIN("changed ticket type: the signature fails; type 4 is "
	    "refused by policy");
	for (i = 0; i < fx.nt; i++) {
		t = &fx.t[i];
		CHECK(field(t, "t_type", &off, &n) == 0 && n == 1);
		b = malloc(t->len);
		memcpy(b, t->b, t->len);
		b[off] = (uint8_t)((t->t_type + 1) % 4);
		CHECKF(verify(fx.vk, b, t->len, t->now, &res) ==
		    ECASH_ERR_SIGNATURE, "%s: %s", t->name,
		    ecash_reason_str(res.reason));
		b[off] = 4;
		CHECK(verify(fx.vk, b, t->len, t->now, &res) ==
		    ECASH_ERR_POLICY && res.cred_err == CRED_ERR_BAD_VALUE);
		free(b);
	}
	t = &fx.t[0];
	CHECK(field(t, "spend_value", &off, &n) == 0 && n == 1);
	b = malloc(t->len);
	memcpy(b, t->b, t->len);
	b[off] = 2;
	CHECK(verify(fx.vk, b, t->len, t->now, &res) == ECASH_ERR_POLICY &&
	    res.cred_err == CRED_ERR_BAD_VALUE);
	free(b);
	T_END();
}

/* ss[] = [s, s]: refused before any proof is looked at. */
static void
duplicate_serials(void)
{
	struct ecash_result	 res;
	const struct tk		*t = &fx.t[0];
	uint8_t			*b, rep[1 + 2 * 49];
	size_t			 off, n, soff, sn, len;

	T_BEGIN("duplicate serial numbers refused as such");
	CHECK(field(t, "ss.len", &off, &n) == 0 && n == 1);
	CHECK(field(t, "ss", &soff, &sn) == 0 && sn == 49 && soff == off + 1);
	rep[0] = 2;
	memcpy(rep + 1, t->b + soff, 49);
	memcpy(rep + 50, t->b + soff, 49);
	b = splice(t, off, 1 + 49, rep, sizeof(rep), &len);
	CHECK(verify(fx.vk, b, len, t->now, &res) == ECASH_ERR_SERIAL);
	free(b);
	T_END();
}

static void
malformed(void)
{
	struct ecash_result	 res;
	const struct tk		*t = &fx.t[0];
	uint8_t			*b, junk[1245];
	size_t			 off, n, len;

	T_BEGIN("malformed: truncated, trailing byte, empty, noise");
	CHECK(verify(fx.vk, t->b, t->len - 1, t->now, &res) ==
	    ECASH_ERR_MALFORMED);
	b = malloc(t->len + 1);
	memcpy(b, t->b, t->len);
	b[t->len] = 0;
	CHECK(verify(fx.vk, b, t->len + 1, t->now, &res) ==
	    ECASH_ERR_MALFORMED);
	free(b);
	CHECK(verify(fx.vk, t->b, 0, t->now, &res) == ECASH_ERR_MALFORMED);
	for (n = 0; n < sizeof(junk); n++)
		junk[n] = (uint8_t)(n * 131 + 7);
	CHECK(verify(fx.vk, junk, sizeof(junk), t->now, &res) ==
	    ECASH_ERR_MALFORMED);
	/* a byte more inside the payment, length fixed up */
	CHECK(field(t, "cc", &off, &n) == 0);
	b = splice(t, off, 0, (const uint8_t *)"", 1, &len);
	CHECK(verify(fx.vk, b, len, t->now, &res) == ECASH_ERR_MALFORMED ||
	    res.reason == ECASH_ERR_ELEMENT);
	free(b);
	T_END();
}

static void
bad_points(void)
{
	struct ecash_result	 res;
	const struct tk		*t = &fx.t[0];
	uint8_t			*b;
	size_t			 off, n;

	T_BEGIN("points refused by name: kappa off the curve, sig.h at "
	    "infinity");
	b = malloc(t->len);
	CHECK(field(t, "kappa", &off, &n) == 0 && n == 97);
	memcpy(b, t->b, t->len);
	/* x = 0 is on neither curve's G2: either no root or wrong order */
	memset(b + off + 1, 0, 96);
	b[off + 1] = 0x80;
	CHECK(verify(fx.vk, b, t->len, t->now, &res) == ECASH_ERR_ELEMENT);
	CHECK(strncmp(res.detail, "kappa: ", 7) == 0);
	CHECK(field(t, "sig.h", &off, &n) == 0 && n == 49);
	memcpy(b, t->b, t->len);
	memset(b + off + 1, 0, 48);
	b[off + 1] = 0xc0;
	CHECK(verify(fx.vk, b, t->len, t->now, &res) == ECASH_ERR_SIGNATURE);
	free(b);
	T_END();
}

/*
 * The reasons a flip in each field may give; never ECASH_OK.  Points and
 * scalars may also stop decoding (or their length byte break the
 * bincode); the fixed-size tail and the plain bytes cannot.
 */
#define R(x)	(1u << ECASH_ERR_##x)
#define FMT	(R(MALFORMED) | R(ELEMENT))
static unsigned
allowed(const char *f)
{
	static const struct {
		const char	*prefix;
		unsigned	 mask;
	} map[] = {
		{ "payment_len", R(MALFORMED) },
		{ "sig_exp.", FMT | R(EXPIRATION) },
		{ "sig.", FMT | R(SIGNATURE) },
		{ "omega.", FMT | R(COIN_INDEX) },
		{ "spend_value", R(POLICY) },
		{ "t_type", R(POLICY) | R(SIGNATURE) },
		{ "pay_info.random", R(PROOF) },
		/* a second or two off is fresh, but signed into the proof */
		{ "pay_info.timestamp", R(POLICY) | R(PROOF) },
		{ "pay_info.provider", R(POLICY) },
		{ "spend_date", R(POLICY) },
		{ "epoch_id", R(EPOCH) },
	};
	size_t	 i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(f, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].mask;
	if (strstr(f, ".len") != NULL)
		return FMT;
	/* the instance's points, the proof's scalars */
	return FMT | R(PROOF);
}

static void
bit_flips(void)
{
	struct ecash_result	 res;
	const struct tk		*t = &fx.t[0];
	const json_t		*f;
	const char		*name;
	uint8_t			*b;
	size_t			 i, j, off, n, bit, flips = 0;
	unsigned		 seen = 0, mask;

	T_BEGIN(FLIP_STRIDE == 1 ? "every single-bit flip of a genuine "
	    "ticket refused, for a reason its field allows" : "every 31st "
	    "single-bit flip (sanitizer build; the test build runs all) "
	    "refused, for a reason its field allows");
	b = malloc(t->len);
	memcpy(b, t->b, t->len);
	json_array_foreach(t->fields, i, f) {
		name = json_string_value(json_array_get(f, 0));
		off = (size_t)json_integer_value(json_array_get(f, 1));
		n = (size_t)json_integer_value(json_array_get(f, 2));
		mask = allowed(name);
		for (j = off; j < off + n && j < t->len; j++)
			for (bit = 0; bit < 8; bit++) {
				if ((j * 8 + bit) % FLIP_STRIDE != 0)
					continue;
				b[j] ^= (uint8_t)(1u << bit);
				verify(fx.vk, b, t->len, t->now, &res);
				b[j] ^= (uint8_t)(1u << bit);
				flips++;
				seen |= 1u << res.reason;
				CHECKF((mask >> res.reason & 1) != 0,
				    "%s byte %zu bit %zu: %s (%s)", name,
				    j - off, bit, ecash_reason_str(res.reason),
				    res.detail);
			}
	}
	CHECKF(flips == (8 * t->len + FLIP_STRIDE - 1) / FLIP_STRIDE,
	    "%zu flips of %zu bytes", flips, t->len);
	CHECK((seen & 1u << ECASH_OK) == 0);
	/* each refusal path was taken at least once */
	CHECK(FLIP_STRIDE > 1 || ((seen & 1u << ECASH_ERR_PROOF) &&
	    (seen & 1u << ECASH_ERR_ELEMENT)
	    && (seen & 1u << ECASH_ERR_SIGNATURE) &&
	    (seen & 1u << ECASH_ERR_EXPIRATION) &&
	    (seen & 1u << ECASH_ERR_COIN_INDEX) &&
	    (seen & 1u << ECASH_ERR_POLICY) && (seen & 1u << ECASH_ERR_EPOCH)
	    && (seen & 1u << ECASH_ERR_MALFORMED)));
	free(b);
	T_END();
	printf("# %zu bit flips\n", flips);
}

/* argv[1]: fresh tickets (regress/interop/ecash.sh), no bit flips. */
int
main(int argc, char **argv)
{
	const char	*path = argc > 1 ? argv[1] : FIXTURE;

	if (ecash_init() == -1 || fixture_load(path) == -1) {
		t_fail("fixtures", "cannot load ticket fixtures");
		return t_done();
	}
	keys();
	keys_short();
	genuine();
	no_r_k();
	payinfo_and_clock();
	next_day();
	wrong_keys();
	ticket_type();
	duplicate_serials();
	malformed();
	bad_points();
	if (argc == 1)
		bit_flips();
	return t_done();
}
