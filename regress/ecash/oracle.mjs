// Differential vectors for credd/ecash's BLS12-381, layer by layer, from two
// implementations that share nothing with ours or with each other:
// @noble/curves (JavaScript) and mcl-wasm (herumi's C++ built to wasm).
// Every case is computed by each oracle that can; they must agree, or
// this script fails.  The C test (regress/unit/credd_bls_test.c) reads
// the output.
//
//   node oracle.mjs [out.json] [count]
//
// Without arguments it rewrites regress/vectors/ecash/bls.json (committed);
// regress/interop/ecash.sh runs it with fresh random inputs.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
	bls, G1, G2, Fp, Fr, P, R, hex, unhex, utf8, cat, le2n, n2le, n2be, be2n,
	expand_message_xmd, sha256, hashG1, hashToScalar, G1_DST, SCALAR_DST,
} from './lib.mjs';

const require = createRequire(import.meta.url);
const mcl = require('mcl-wasm');
const mclRaw = require('mcl-wasm/dist/mcl.js');
const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = process.argv[2] ?? path.join(HERE, '../vectors/ecash/bls.json');
const N = Number(process.argv[3] ?? 24);
const Fp2 = bls.fields.Fp2, Fp12 = bls.fields.Fp12;

await mcl.init(mcl.BLS12_381);
mcl.setETHserialization(true);	// ZCash point encoding
mcl.setMapToMode(mcl.IRTF);	// RFC 9380 hash-to-curve
mcl.verifyOrderG1(true);
mcl.verifyOrderG2(true);

const cases = [];
function add(l, op, inp, out, o, why) {
	const c = { l, op, in: inp, out, o };
	if (why) c.why = why;
	cases.push(c);
}
function agree(a, b, what) {
	if (a !== b) throw new Error(`oracles disagree on ${what}: noble ${a} mcl ${b}`);
	return a;
}

// --- encodings shared with the C test ------------------------------------
const fpx = (n) => hex(n2be(n, 48));
const frx = (n) => hex(n2le(n, 32));
const fp2x = (a) => fpx(a.c0) + fpx(a.c1);
const fp12flat = (f) => [f.c0.c0.c0, f.c0.c0.c1, f.c0.c1.c0, f.c0.c1.c1, f.c0.c2.c0, f.c0.c2.c1,
    f.c1.c0.c0, f.c1.c0.c1, f.c1.c1.c0, f.c1.c1.c1, f.c1.c2.c0, f.c1.c2.c1];
const fp12x = (f) => fp12flat(f).map(fpx).join('');
const fp12from = (a) => Fp12.fromBigTwelve(a);

const rnd = (m) => le2n(crypto.randomBytes(64)) % m;
const rfp = () => rnd(P);
const rfr = () => rnd(R);
const rfp2 = () => ({ c0: rfp(), c1: rfp() });
const rfp12 = () => fp12from(Array.from({ length: 12 }, rfp));

// mcl values
const mFp = (n) => { const x = new mcl.Fp(); x.setStr(n.toString(16), 16); return x; };
const nFp = (x) => BigInt('0x' + x.getStr(16));
const mFr = (n) => { const x = new mcl.Fr(); x.setStr(n.toString(16), 16); return x; };
const nFr = (x) => BigInt('0x' + x.getStr(16));
const mFp2 = (a) => { const x = new mcl.Fp2(); x.set_a(mFp(a.c0)); x.set_b(mFp(a.c1)); return x; };
const nFp2 = (x) => ({ c0: nFp(x.get_a()), c1: nFp(x.get_b()) });
const mGT = (f) => { const x = new mcl.GT(); x.setStr(fp12flat(f).map((v) => v.toString(16)).join(' '), 16); return x; };
const gtx = (x) => x.getStr(16).split(' ').map((v) => fpx(BigInt('0x' + v))).join('');
const mG1 = (b) => { const x = new mcl.G1(); x.deserialize(b); return x; };
const mG2 = (b) => { const x = new mcl.G2(); x.deserialize(b); return x; };
const mclRejects = (f) => { try { f(); return false; } catch { return true; } };

// --- Fp ----------------------------------------------------------------------
const fpEdges = [0n, 1n, 2n, P - 1n, P - 2n, (P - 1n) / 2n, (P + 1n) / 2n, (1n << 384n) % P];
function fpCases() {
	const vals = [...fpEdges, ...Array.from({ length: N }, rfp)];
	for (const [i, a] of vals.entries()) {
		const b = i < fpEdges.length ? fpEdges[(i + 3) % fpEdges.length] : rfp();
		const [ma, mb] = [mFp(a), mFp(b)];
		add('fp', 'add', [fpx(a), fpx(b)], fpx(agree(Fp.add(a, b), nFp(mcl.add(ma, mb)), 'fp add')), 'nm');
		add('fp', 'sub', [fpx(a), fpx(b)], fpx(agree(Fp.sub(a, b), nFp(mcl.sub(ma, mb)), 'fp sub')), 'nm');
		add('fp', 'mul', [fpx(a), fpx(b)], fpx(agree(Fp.mul(a, b), nFp(mcl.mul(ma, mb)), 'fp mul')), 'nm');
		add('fp', 'sqr', [fpx(a)], fpx(agree(Fp.sqr(a), nFp(mcl.sqr(ma)), 'fp sqr')), 'nm');
		add('fp', 'neg', [fpx(a)], fpx(agree(Fp.neg(a), nFp(mcl.neg(ma)), 'fp neg')), 'nm');
		if (a !== 0n)
			add('fp', 'inv', [fpx(a)], fpx(agree(Fp.inv(a), nFp(mcl.inv(ma)), 'fp inv')), 'nm');
		let root = null;
		try { root = Fp.sqrt(a); } catch { root = null; }
		const [ok] = mcl.squareRoot(ma);
		agree(root !== null, ok, 'fp is square');
		add('fp', 'sqrt', [fpx(a)], root === null ? null : fpx(root), 'nm');
	}
	// canonical decoding: values >= p are refused
	for (const v of [0n, P - 1n, P, P + 1n, (1n << 384n) - 1n, rfp(), P + rfp() % ((1n << 384n) - P)])
		add('fp', 'decode', [hex(n2be(v, 48))], v < P ? fpx(v) : null, 'nm');
}

// --- Fr ----------------------------------------------------------------------
function frCases() {
	const edges = [0n, 1n, R - 1n, R - 2n, (R - 1n) / 2n];
	const vals = [...edges, ...Array.from({ length: N }, rfr)];
	for (const a of vals) {
		const b = rfr();
		const [ma, mb] = [mFr(a), mFr(b)];
		add('fr', 'add', [frx(a), frx(b)], frx(agree(Fr.add(a, b), nFr(mcl.add(ma, mb)), 'fr add')), 'nm');
		add('fr', 'sub', [frx(a), frx(b)], frx(agree(Fr.sub(a, b), nFr(mcl.sub(ma, mb)), 'fr sub')), 'nm');
		add('fr', 'mul', [frx(a), frx(b)], frx(agree(Fr.mul(a, b), nFr(mcl.mul(ma, mb)), 'fr mul')), 'nm');
		add('fr', 'neg', [frx(a)], frx(agree(Fr.neg(a), nFr(mcl.neg(ma)), 'fr neg')), 'nm');
	}
	for (const v of [0n, R - 1n, R, R + 1n, (1n << 256n) - 1n, rfr(), R + rfr()]) {
		const bad = mclRejects(() => mFr(v));
		agree(v >= R, bad, 'fr canonical');
		add('fr', 'decode', [hex(n2le(v, 32))], v < R ? frx(v) : null, 'nm');
	}
	// from_bytes_wide: 64 bytes little-endian mod r
	const wides = [new Uint8Array(64).fill(0xff), new Uint8Array(64),
	    ...Array.from({ length: N }, () => crypto.randomBytes(64))];
	for (const w of wides) {
		const x = new mcl.Fr();
		x.setLittleEndianMod(w);
		add('fr', 'wide', [hex(w)], frx(agree(le2n(w) % R, nFr(x), 'fr wide')), 'nm');
	}
	// Nym's own hash_to_scalar vectors (ecash/utils.rs tests)
	const msg3 = unhex('21874cea4723f7d827f22a58981d4a87091dd87bfa576c1df57e6d6654479ee0' +
	    '91f33179f41b73791942d84361658ca04def72d798300fe7653c2a5c8083a12b');
	const nym = [
		[utf8('foo'), 'fd39e0e3afc3e2522eaf217eabefff5c6ca8064f5a0bebecdd0a55852a515f1e'],
		[utf8('bar'), '305345342a1287f4d3bea0c4769a187e007d48c9aae17bc93478ab84ebb6141a'],
		[msg3, '80bd082bba37343dabc49fb1a2641b8f5553daab5bdc9b1907260224045d8804'],
	];
	for (const [m, want] of nym) {
		if (frx(hashToScalar(m)) !== want) throw new Error('noble differs from Nym hash_to_scalar');
		add('fr', 'hash_to_scalar', [hex(m)], want, 'ny');
	}
	for (let i = 0; i < N; i++) {
		const m = crypto.randomBytes(i * 7);
		add('fr', 'hash_to_scalar', [hex(m)], frx(hashToScalar(m)), 'n');
	}
}

// --- expand_message_xmd -------------------------------------------------------
function xmdCases() {
	const rfc = JSON.parse(fs.readFileSync(path.join(HERE, '../vectors/ecash/rfc9380-xmd-sha256.json')));
	for (const c of rfc.cases) {
		const got = hex(expand_message_xmd(unhex(c.msg), utf8(c.dst), c.len, sha256));
		if (got !== c.out) throw new Error('noble differs from RFC 9380 K.1');
	}
	for (let i = 0; i < N; i++) {
		const msg = crypto.randomBytes(i * 11 % 300);
		const dst = i % 5 === 4 ? crypto.randomBytes(300) : utf8(i % 2 ? SCALAR_DST : G1_DST);
		const len = [32, 48, 64, 96, 128, 255, 256][i % 7];
		// the output length is the output's
		add('xmd', 'sha256', [hex(msg), hex(dst)],
		    hex(expand_message_xmd(msg, dst, len, sha256)), 'n');
	}
}

// --- Fp2 ---------------------------------------------------------------------
function fp2Cases() {
	const edges = [{ c0: 0n, c1: 0n }, { c0: 1n, c1: 0n }, { c0: 0n, c1: 1n },
	    { c0: P - 1n, c1: P - 1n }, { c0: 0n, c1: P - 1n }];
	for (const a of [...edges, ...Array.from({ length: N }, rfp2)]) {
		const b = rfp2(), [ma, mb] = [mFp2(a), mFp2(b)];
		const eq2 = (x, y, w) => { agree(fp2x(x), fp2x(y), w); return fp2x(x); };
		add('fp2', 'mul', [fp2x(a), fp2x(b)], eq2(Fp2.mul(a, b), nFp2(mcl.mul(ma, mb)), 'fp2 mul'), 'nm');
		add('fp2', 'sqr', [fp2x(a)], eq2(Fp2.sqr(a), nFp2(mcl.sqr(ma)), 'fp2 sqr'), 'nm');
		add('fp2', 'add', [fp2x(a), fp2x(b)], eq2(Fp2.add(a, b), nFp2(mcl.add(ma, mb)), 'fp2 add'), 'nm');
		if (!Fp2.is0(a))
			add('fp2', 'inv', [fp2x(a)], eq2(Fp2.inv(a), nFp2(mcl.inv(ma)), 'fp2 inv'), 'nm');
		let root = null;
		try { root = Fp2.sqrt(a); } catch { root = null; }
		const [ok] = mcl.squareRoot(ma);
		agree(root !== null, ok, 'fp2 is square');
		add('fp2', 'sqrt', [fp2x(a)], root === null ? null : fp2x(root), 'nm');
		// a square for sure, so the root path is taken as often as not
		const s = Fp2.sqr(b);
		add('fp2', 'sqrt', [fp2x(s)], fp2x(Fp2.sqrt(s)), 'nm');
	}
}

// --- Fp12 --------------------------------------------------------------------
function fp12Cases() {
	const n = Math.max(4, N / 3);
	for (let i = 0; i < n; i++) {
		const a = rfp12(), b = rfp12(), [ma, mb] = [mGT(a), mGT(b)];
		add('fp12', 'mul', [fp12x(a), fp12x(b)], agree(fp12x(Fp12.mul(a, b)), gtx(mcl.mul(ma, mb)), 'fp12 mul'), 'nm');
		add('fp12', 'sqr', [fp12x(a)], agree(fp12x(Fp12.sqr(a)), gtx(mcl.sqr(ma)), 'fp12 sqr'), 'nm');
		// mcl's GT inverse is the unitary one (the conjugate): noble only
		add('fp12', 'inv', [fp12x(a)], fp12x(Fp12.inv(a)), 'n');
		add('fp12', 'conj', [fp12x(a)], fp12x(Fp12.conjugate(a)), 'n');
		add('fp12', 'frobenius', [fp12x(a)], fp12x(Fp12.frobeniusMap(a, 1)), 'n');
		add('fp12', 'final_exp', [fp12x(a)],
		    agree(fp12x(Fp12.finalExponentiate(a)), gtx(mcl.finalExp(ma)), 'final exp'), 'nm');
	}
	// On GT, x^p = x^(p mod r), which mcl can compute: Frobenius checked twice.
	for (let i = 0; i < Math.max(2, N / 8); i++) {
		const e = bls.pairing(G1.BASE.multiply(rfr() || 1n), G2.BASE.multiply(rfr() || 1n));
		add('fp12', 'frobenius', [fp12x(e)],
		    agree(fp12x(Fp12.frobeniusMap(e, 1)), gtx(mcl.pow(mGT(e), mFr(P % R))), 'frobenius on GT'), 'nm');
		add('fp12', 'inv', [fp12x(e)], agree(fp12x(Fp12.inv(e)), gtx(mcl.inv(mGT(e))), 'inverse on GT'), 'nm');
	}
}

// --- points: valid and refused encodings, arithmetic ---------------------------
function pointCases(name, Pt, enc, mDec, fieldOf, onCurveX, bytes) {
	const mk = (k) => (k === 0n ? Pt.ZERO : Pt.BASE.multiply(k));
	const menc = (p) => hex(p.serialize());
	const samples = [Pt.ZERO, Pt.BASE, Pt.BASE.negate(), ...Array.from({ length: N }, () => mk(rfr()))];
	for (const p of samples) {
		const b = enc(p);
		agree(hex(b), menc(mDec(b)), `${name} decode`);
		add(name, 'decode', [hex(b)], hex(b), 'nm');
	}
	// Refused, as zkcrypto's from_compressed refuses it (Nym's library; the
	// rule read in its source).  The oracles differ from it, and from each
	// other, on malformed infinities: the case records who refuses, and
	// "accepted" who does not.
	const refuse = (b, why) => {
		let nob = false;
		try { Pt.fromHex(b).assertValidity(); } catch { nob = true; }
		const mob = mclRejects(() => mDec(b));
		if (!nob && !mob)
			throw new Error(`${name} ${why}: both oracles accept ${hex(b)}`);
		const o = 'z' + (nob ? 'n' : '') + (mob ? 'm' : '');
		add(name, 'decode', [hex(b)], null, o, why);
		if (!nob || !mob)
			cases[cases.length - 1].accepted = nob ? 'mcl' : 'noble';
	};
	const g = enc(Pt.BASE);
	const clear = g.slice(); clear[0] &= 0x7f;
	refuse(clear, 'flags');
	const infSign = new Uint8Array(bytes); infSign[0] = 0xe0;
	refuse(infSign, 'flags');
	const infX = new Uint8Array(bytes); infX[0] = 0xc0; infX[bytes - 1] = 1;
	refuse(infX, 'flags');
	const pHigh = cat(n2be(P, 48), new Uint8Array(bytes - 48)); pHigh[0] |= 0x80;
	refuse(pHigh, 'range');
	const allOnes = new Uint8Array(bytes).fill(0xff); allOnes[0] = 0x9f;
	refuse(allOnes, 'range');
	if (bytes === 96) {
		const pLow = cat(new Uint8Array(48), n2be(P, 48)); pLow[0] = 0x80;
		refuse(pLow, 'range');
	}
	let curve = 0, sub = 0;
	while (curve < 4 || sub < 4) {
		const x = fieldOf();
		const b = x.bytes; b[0] |= 0x80 | (crypto.randomBytes(1)[0] & 0x20);
		if (onCurveX(x.v)) { if (sub < 4) { refuse(b, 'subgroup'); sub++; } }
		else if (curve < 4) { refuse(b, 'curve'); curve++; }
	}
	if (bytes === 48) {
		// x = 0: (0, +-2) is on y^2 = x^3 + 4 but of order 3
		const z = new Uint8Array(48); z[0] = 0x80;
		refuse(z, 'subgroup');
		z[0] = 0xa0;
		refuse(z, 'subgroup');
	}
	// arithmetic
	const m = (p) => mDec(enc(p));
	for (let i = 0; i < N; i++) {
		const a = mk(rfr()), b = i % 4 === 0 ? a : i % 4 === 1 ? a.negate() : i % 4 === 2 ? Pt.ZERO : mk(rfr());
		add(name, 'add', [hex(enc(a)), hex(enc(b))], agree(hex(enc(a.add(b))), menc(mcl.add(m(a), m(b))), `${name} add`), 'nm');
		add(name, 'dbl', [hex(enc(a))], agree(hex(enc(a.double())), menc(mcl.dbl(m(a))), `${name} dbl`), 'nm');
		add(name, 'neg', [hex(enc(b))], agree(hex(enc(b.negate())), menc(mcl.neg(m(b))), `${name} neg`), 'nm');
		const ks = [0n, 1n, 2n, R - 1n, R - 2n, rfr(), rfr(), rfr()];
		const k = ks[i % ks.length];
		const want = k === 0n ? Pt.ZERO : a.multiply(k);
		add(name, 'mul', [hex(enc(a)), frx(k)], agree(hex(enc(want)), menc(mcl.mul(m(a), mFr(k))), `${name} mul`), 'nm');
	}
}

function g1Cases() {
	pointCases('g1', G1, (p) => p.toRawBytes(true), mG1, () => {
		const v = rfp();
		return { v, bytes: n2be(v, 48) };
	}, (x) => { try { Fp.sqrt(Fp.add(Fp.pow(x, 3n), 4n)); return true; } catch { return false; } }, 48);
}

function g2Cases() {
	const b2 = Fp2.mul({ c0: 4n, c1: 0n }, { c0: 1n, c1: 1n });
	pointCases('g2', G2, (p) => p.toRawBytes(true), mG2, () => {
		const v = rfp2();
		return { v, bytes: cat(n2be(v.c1, 48), n2be(v.c0, 48)) };
	}, (x) => { try { Fp2.sqrt(Fp2.add(Fp2.mul(Fp2.sqr(x), x), b2)); return true; } catch { return false; } }, 96);
}

// --- pairings -----------------------------------------------------------------
function pairingCases() {
	const g1s = [G1.ZERO, G1.BASE, ...Array.from({ length: N / 2 }, () => G1.BASE.multiply(rfr()))];
	const g2s = [G2.BASE, G2.ZERO, ...Array.from({ length: N / 2 }, () => G2.BASE.multiply(rfr()))];
	const one = (p, q) => (p.equals(G1.ZERO) || q.equals(G2.ZERO) ? Fp12.ONE : bls.pairing(p, q));
	for (let i = 0; i < g1s.length; i++) {
		const p = g1s[i], q = g2s[i];
		const got = fp12x(one(p, q));
		const mm = mcl.pairing(mG1(p.toRawBytes(true)), mG2(q.toRawBytes(true)));
		add('pairing', 'pair', [hex(p.toRawBytes(true)), hex(q.toRawBytes(true))], agree(got, gtx(mm), 'pairing'), 'nm');
	}
	// products of 2..5 pairings, one final exponentiation: how tickets are checked
	for (let i = 0; i < Math.max(3, N / 4); i++) {
		const k = 2 + (i % 4);
		const ps = Array.from({ length: k }, (_, j) => (j === 1 && i % 3 === 0 ? G1.ZERO : G1.BASE.multiply(rfr())));
		const qs = Array.from({ length: k }, () => G2.BASE.multiply(rfr()));
		let f = Fp12.ONE, mf = null;
		ps.forEach((p, j) => {
			if (!p.equals(G1.ZERO)) f = Fp12.mul(f, bls.pairing(p, qs[j], false));
			const ml = mcl.millerLoop(mG1(p.toRawBytes(true)), mG2(qs[j].toRawBytes(true)));
			mf = mf === null ? ml : mcl.mul(mf, ml);
		});
		const inp = ps.flatMap((p, j) => [hex(p.toRawBytes(true)), hex(qs[j].toRawBytes(true))]);
		add('pairing', 'product', inp, agree(fp12x(Fp12.finalExponentiate(f)), gtx(mcl.finalExp(mf)), 'pairing product'), 'nm');
	}
	// e(aP, Q) e(-P, aQ) = 1: what a valid signature looks like
	const a = rfr(), pp = G1.BASE.multiply(rfr()), qq = G2.BASE.multiply(rfr());
	add('pairing', 'product', [hex(pp.multiply(a).toRawBytes(true)), hex(qq.toRawBytes(true)),
	    hex(pp.negate().toRawBytes(true)), hex(qq.multiply(a).toRawBytes(true))], fp12x(Fp12.ONE), 'nm');
}

// --- Nym's hash_g1 constants (setup.rs) -----------------------------------------
function hashG1Cases() {
	const dst = Buffer.from(G1_DST);
	const ptr = mclRaw.mod._malloc(dst.length);
	mclRaw.mod.HEAP8.set(dst, ptr);
	if (mclRaw.mod._mclBnG1_setDst(ptr, dst.length) !== 0) throw new Error('mcl setDst');
	mclRaw.mod._free(ptr);
	const mh = (m) => hex(mcl.hashAndMapToG1(m).serialize());
	// Nym's own vectors (ecash/utils.rs test_hash_to_g1), for both oracles
	const nym = [['foo', 'a16dba00c0dd5357471f78c9b9233eef2e787596bfe380a14ec9cfa756b5e573' +
	    '0206b210fb76db73b860020a1f3f9646'], ['bar', '8766cc2add31d1c0fa573bffc55d257126029ae944eaceb6' +
	    '79d4a6d24a9bbe21cbedb03cf9f135aa12a831230197cdae'], [unhex('21874cea4723f7d827f22a58981d4a87' +
	    '091dd87bfa576c1df57e6d6654479ee091f33179f41b73791942d84361658ca04def72d798300fe7653c2a5c8083a12b'),
	    'b8c8d3732f2d27b96909def784f17982eee09b6d69c9899a8495d6e988454d84ae1e2e7b145cdb122d1dd07f9e918229']];
	for (const [m0, want] of nym) {
		const m = typeof m0 === 'string' ? utf8(m0) : m0;
		if (hex(hashG1(m).toRawBytes(true)) !== want || mh(m) !== want)
			throw new Error('an oracle differs from Nym hash_g1');
	}
	// Real expiration-date signatures from nym-api: h is hash_g1 of the two
	// timestamps as 32-byte scalars, as ticketgen.mjs signs them.
	const real = JSON.parse(fs.readFileSync(path.join(HERE, '../vectors/ecash/nym-expiration-signatures.json')));
	for (const s of real.signatures) {
		const m = cat(n2le(BigInt(s.expiration_timestamp), 32), n2le(BigInt(s.spending_timestamp), 32));
		if (hex(hashG1(m).toRawBytes(true)) !== s.signature.h || mh(m) !== s.signature.h)
			throw new Error('an oracle differs from Nym\'s expiration-date signature hash');
	}
	for (const m of ['gamma1', 'gamma2', 'gamma3', 'gamma4', 'delta'])
		add('hash_g1', 'nym', [hex(utf8(m))], agree(hex(hashG1(utf8(m)).toRawBytes(true)), mh(utf8(m)), 'hash_g1'), 'nm');
}

fpCases();
frCases();
xmdCases();
fp2Cases();
fp12Cases();
g1Cases();
g2Cases();
pairingCases();
hashG1Cases();
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, JSON.stringify({
	about: 'BLS12-381 differential vectors from @noble/curves (n) and mcl-wasm (m), ' +
	    'with Nym\'s own hash vectors (y) and zkcrypto\'s decoding rules (z); ' +
	    'made by regress/ecash/oracle.mjs',
	cases,
}) + '\n');
console.log(`${OUT}: ${cases.length} cases`);
