// Shared by oracle.mjs and ticketgen.mjs: byte helpers, Nym's bincode
// writer and a reader, base58, and Nym's hashes (ecash/utils.rs) on top
// of @noble/curves.  Nothing here comes from gatewayd's C code.
import crypto from 'node:crypto';
import { bls12_381 as bls } from '@noble/curves/bls12-381';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve';
import { sha256 } from '@noble/hashes/sha2';

export { bls, sha256, expand_message_xmd };
export const G1 = bls.G1.ProjectivePoint;
export const G2 = bls.G2.ProjectivePoint;
export const Fr = bls.fields.Fr;
export const Fp = bls.fields.Fp;
export const R = Fr.ORDER;
export const P = Fp.ORDER;

export const hex = (b) => Buffer.from(b).toString('hex');
export const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
export const cat = (...a) => new Uint8Array(Buffer.concat(a.map((x) => Buffer.from(x))));
export const utf8 = (s) => new Uint8Array(Buffer.from(s, 'utf8'));

// Little-endian bytes <-> bigint.
export function le2n(b) {
	let n = 0n;
	for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
	return n;
}
export function n2le(n, len) {
	const b = new Uint8Array(len);
	for (let i = 0; i < len; i++) { b[i] = Number(n & 0xffn); n >>= 8n; }
	return b;
}
export function be2n(b) {
	let n = 0n;
	for (const x of b) n = (n << 8n) | BigInt(x);
	return n;
}
export function n2be(n, len) {
	return n2le(n, len).reverse();
}

// A uniformly random scalar (nonzero, as Scalar::random almost surely is).
export function randScalar() {
	for (;;) {
		const s = le2n(crypto.randomBytes(64)) % R;
		if (s !== 0n) return s;
	}
}

export const mod = (a) => ((a % R) + R) % R;
export const finv = (a) => Fr.inv(mod(a));

// Points: multiply accepting 0 and anything mod r.
export const g1mul = (p, k) => (mod(k) === 0n ? G1.ZERO : p.multiply(mod(k)));
export const g2mul = (p, k) => (mod(k) === 0n ? G2.ZERO : p.multiply(mod(k)));
export const g1b = (p) => p.toRawBytes(true);
export const g2b = (p) => p.toRawBytes(true);
export const frb = (s) => n2le(mod(s), 32);

// ecash/utils.rs
export const G1_DST = 'NYMECASH-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_';
export const SCALAR_DST = 'NYMECASH-V01-CS02-with-expander-SHA256';
export const hashG1 = (msg) => G1.fromAffine(bls.G1.hashToCurve(msg, { DST: G1_DST }).toAffine());
export function hashToScalar(msg) {
	return be2n(expand_message_xmd(msg, utf8(SCALAR_DST), 48, sha256)) % R;
}

// setup.rs and constants.rs
export const GAMMA = [1, 2, 3, 4].map((i) => hashG1(utf8(`gamma${i}`)));
export const DELTA = hashG1(utf8('delta'));
export const TYPE_EXP = le2n(utf8('ZKNYMEXPIRATIONDATE4llCBMEypAxr3')) % R;
export const TYPE_IDX = le2n(utf8('ZKNYMSINDICESh^7gTYbhnap*12n5GG6')) % R;
export const VALIDITY_DAYS = 7;	// TICKETBOOK_VALIDITY_DAYS
export const NB_TICKETS = 50;	// TICKETBOOK_SIZE
export const DAY = 86400;
export const JDN_UNIX_EPOCH = 2440588;

// Bincode (DefaultOptions, big-endian, varint), as lib.rs configures it.
export function varint(n) {
	n = BigInt(n);
	if (n < 251n) return Uint8Array.of(Number(n));
	if (n < 1n << 16n) return cat([251], n2be(n, 2));
	if (n < 1n << 32n) return cat([252], n2be(n, 4));
	return cat([253], n2be(n, 8));
}
export const bytesField = (b) => cat(varint(b.length), b);	// serdect
export const binG1 = (p) => bytesField(g1b(p));
export const binG2 = (p) => bytesField(g2b(p));
export const binFr = (s) => bytesField(frb(s));
export const binVec = (items, f) => cat(varint(items.length), ...items.map(f));

export class Reader {
	constructor(b) { this.b = b; this.o = 0; }
	take(n) {
		if (this.o + n > this.b.length) throw new Error('short read');
		const r = this.b.subarray(this.o, this.o + n);
		this.o += n;
		return r;
	}
	u8() { return this.take(1)[0]; }
	varint() {
		const t = this.u8();
		if (t < 251) return BigInt(t);
		if (t > 253) throw new Error('bad varint');
		return be2n(this.take(2 << (t - 251)));
	}
	bytes() { return this.take(Number(this.varint())); }
	g1() { const p = G1.fromHex(this.bytes()); p.assertValidity(); return p; }
	g2() { const p = G2.fromHex(this.bytes()); p.assertValidity(); return p; }
	fr() { const s = le2n(this.bytes()); if (s >= R) throw new Error('scalar'); return s; }
	vec(f) { const n = Number(this.varint()); return Array.from({ length: n }, () => f()); }
}

// Bitcoin's base58, as Nym's bs58 crate writes it.
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
export function bs58enc(b) {
	let n = be2n(b), s = '';
	while (n > 0n) { s = B58[Number(n % 58n)] + s; n /= 58n; }
	for (const x of b) { if (x !== 0) break; s = '1' + s; }
	return s;
}
export function bs58dec(s) {
	let n = 0n, zeros = 0;
	for (const c of s) {
		const v = B58.indexOf(c);
		if (v < 0) throw new Error('bs58');
		n = n * 58n + BigInt(v);
	}
	for (const c of s) { if (c !== '1') break; zeros++; }
	const body = [];
	while (n > 0n) { body.unshift(Number(n & 0xffn)); n >>= 8n; }
	return new Uint8Array([...new Array(zeros).fill(0), ...body]);
}

// VerificationKeyAuth::to_bytes: alpha || u64 LE n || n G1 || n G2.
export function vkBytes(vk) {
	return cat(g2b(vk.alpha), n2le(BigInt(vk.beta_g1.length), 8),
	    ...vk.beta_g1.map(g1b), ...vk.beta_g2.map(g2b));
}
// nym-api's VerificationKeyResponse body.
export function vkJson(vk) {
	return JSON.stringify({ key: { alpha: hex(g2b(vk.alpha)),
	    beta_g1: vk.beta_g1.map((p) => hex(g1b(p))),
	    beta_g2: vk.beta_g2.map((p) => hex(g2b(p))) } });
}

// Lagrange coefficients at 0 for the signer indices (utils.rs).
export function lagrange(idx) {
	return idx.map((i) => {
		let num = 1n, den = 1n;
		for (const j of idx) {
			if (j === i) continue;
			num = mod(num * -BigInt(j));
			den = mod(den * (BigInt(i) - BigInt(j)));
		}
		return mod(num * finv(den));
	});
}
