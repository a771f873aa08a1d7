/*
 * Hashing into Fr: RFC 9380's expand_message_xmd over SHA-256 (section
 * 5.3.1) and Nym's hash_to_scalar on top of it.  SHA-256 itself is
 * libgcrypt's.
 */
#include <string.h>

#include <gcrypt.h>

#include "bls.h"
#include "log.h"

#define XMD_B		32	/* SHA-256 output */
#define XMD_S		64	/* SHA-256 block */
#define XMD_ELL_MAX	255
#define IOV_MAX_BLS	8

/* ecash/utils.rs: SCALAR_HASH_DOMAIN */
static const char nym_scalar_dst[] = "NYMECASH-V01-CS02-with-expander-SHA256";

void
bls_sha256(uint8_t out[32], const struct bls_iov *v, size_t n)
{
	gcry_buffer_t	 iov[IOV_MAX_BLS];
	size_t		 i;

	memset(iov, 0, sizeof(iov));
	for (i = 0; i < n && i < IOV_MAX_BLS; i++) {
		/* libgcrypt reads through a non-const pointer. */
		iov[i].data = (void *)(uintptr_t)v[i].p;
		iov[i].len = v[i].len;
		iov[i].size = v[i].len;
	}
	/* Cannot fail for SHA-256 with in-range iovecs. */
	gcry_md_hash_buffers(GCRY_MD_SHA256, 0, out, iov, (int)i);
}

/* Only out of memory fails here: fatal, as allocation is in credd. */
void
sha256_open(struct sha256_stream *s)
{
	if (gcry_md_open(&s->h, GCRY_MD_SHA256, 0) != 0)
		fatalx("libgcrypt: no SHA-256 handle");
}

void
sha256_write(struct sha256_stream *s, const void *p, size_t len)
{
	gcry_md_write(s->h, p, len);
}

void
sha256_close(struct sha256_stream *s, uint8_t out[32])
{
	memcpy(out, gcry_md_read(s->h, GCRY_MD_SHA256), 32);
	gcry_md_close(s->h);
}

int
xmd_sha256(uint8_t *out, size_t len, const uint8_t *msg, size_t msglen,
    const uint8_t *dst, size_t dstlen)
{
	static const uint8_t	 zpad[XMD_S];
	static const char	 oversize[] = "H2C-OVERSIZE-DST-";
	uint8_t			 dsth[XMD_B], b0[XMD_B], bi[XMD_B], x[XMD_B];
	uint8_t			 lib[2], zero = 0, ctr, dlen;
	size_t			 ell, i, j, n;

	if (len == 0 || (ell = (len + XMD_B - 1) / XMD_B) > XMD_ELL_MAX)
		return -1;
	if (dstlen > 255) {
		/* RFC 9380 5.3.3: a long DST is hashed first. */
		struct bls_iov	 d[2] = { { oversize, sizeof(oversize) - 1 },
				    { dst, dstlen } };

		bls_sha256(dsth, d, 2);
		dst = dsth;
		dstlen = XMD_B;
	}
	dlen = (uint8_t)dstlen;
	lib[0] = (uint8_t)(len >> 8);
	lib[1] = (uint8_t)len;
	{
		struct bls_iov	 v[6] = { { zpad, sizeof(zpad) },
				    { msg, msglen }, { lib, 2 }, { &zero, 1 },
				    { dst, dstlen }, { &dlen, 1 } };

		bls_sha256(b0, v, 6);
	}
	memset(bi, 0, sizeof(bi));
	for (i = 1; i <= ell; i++) {
		struct bls_iov	 v[4] = { { x, XMD_B }, { &ctr, 1 },
				    { dst, dstlen }, { &dlen, 1 } };

		/* b_1 = H(b_0 || 1 || DST'); b_i = H((b_0 ^ b_i-1) || i ...) */
		for (j = 0; j < XMD_B; j++)
			x[j] = b0[j] ^ bi[j];
		ctr = (uint8_t)i;
		bls_sha256(bi, v, 4);
		n = len - (i - 1) * XMD_B < XMD_B ? len - (i - 1) * XMD_B :
		    XMD_B;
		memcpy(out + (i - 1) * XMD_B, bi, n);
	}
	return 0;
}

/*
 * zkcrypto's HashToField for Scalar: 48 bytes of xmd output, read
 * big-endian and reduced mod r (from_okm), which ecash/utils.rs calls
 * with its own DST.
 */
void
hash_to_scalar(struct fr *r, const uint8_t *msg, size_t len)
{
	uint8_t	 okm[48], wide[64];
	size_t	 i;

	xmd_sha256(okm, sizeof(okm), msg, len, (const uint8_t *)nym_scalar_dst,
	    sizeof(nym_scalar_dst) - 1);
	memset(wide, 0, sizeof(wide));
	for (i = 0; i < sizeof(okm); i++)
		wide[i] = okm[sizeof(okm) - 1 - i];
	fr_from_wide(r, wide);
}
