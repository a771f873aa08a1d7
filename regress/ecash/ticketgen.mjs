// The zk-nym test-ticket generator: writes regress/vectors/ecash/tickets.json,
// which the C tests read (make check needs no npm for it).
//
//   node ticketgen.mjs [out.json [count]]
//
// The issuance is Nym's own code: @nymproject/nym-credential-proxy-lib-wasm
// makes the withdrawal request, then unblinds our signers' shares, checking
// each with a pairing against that signer's key (issue_verify) and the
// aggregate against the master key (aggregate_wallets), and exports the
// ticketbook.  The issuer (a 2-of-3 ttp_keygen, blind signing, the
// expiration-date and coin-index signatures) and the spender follow Nym's
// scheme/{keygen,withdrawal,expiration_date_signatures,
// coin_indices_signatures,mod}.rs and proofs/proof_spend.rs; no Nym
// package on npm can spend.  The spender's ticket is checked by an
// independent verifier written here before it is written out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
	G1, G2, R, mod, finv, randScalar, g1mul, g2mul, g1b, g2b, frb, hex, cat,
	le2n, n2le, n2be, hashG1, hashToScalar, GAMMA, DELTA, TYPE_EXP, TYPE_IDX,
	VALIDITY_DAYS, NB_TICKETS, DAY, JDN_UNIX_EPOCH, varint, binG1, binG2, binFr,
	binVec, Reader, bs58enc, bs58dec, vkBytes, vkJson, lagrange, sha256, bls,
} from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = process.argv[2] ?? path.join(HERE, '../vectors/ecash/tickets.json');
const COUNT = Number(process.argv[3] ?? 5);
// The day the tickets are made and spent (expiry = day + 6).
const NOW = Date.UTC(2026, 4, 20, 12, 0, 0);
const EPOCH_ID = 7;
const SIGNERS = [1, 3];	// of 3, threshold 2

const PROVIDER = crypto.randomBytes(32);	// the gateway's ed25519 key
const TYPES = ['v1-mixnet-entry', 'v1-mixnet-exit', 'v1-wireguard-entry',
    'v1-wireguard-exit'];

// --- Nym's wasm, with the clock fixed at NOW -----------------------------
async function loadWasm() {
	const dir = path.join(HERE, 'node_modules/@nymproject/nym-credential-proxy-lib-wasm/');
	// ESM without "type": "module": import a copy named .mjs.
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nymwasm-'));
	fs.copyFileSync(dir + 'nym_credential_proxy_lib_wasm.js', tmp + '/w.mjs');
	const w = await import(tmp + '/w.mjs');
	const RealDate = Date;
	globalThis.Date = class extends RealDate {
		constructor(...a) { if (a.length) super(...a); else super(NOW); }
		static now() { return NOW; }
	};
	const log = console.log;
	console.log = () => {};	// the module's banner
	w.initSync({ module: fs.readFileSync(dir + 'nym_credential_proxy_lib_wasm_bg.wasm') });
	console.log = log;
	fs.rmSync(tmp, { recursive: true });
	return w;
}

// --- the issuer (keygen.rs ttp_keygen, 5 ys) ------------------------------
function polyEval(c, x) {
	return c.reduceRight((acc, ci) => mod(acc * BigInt(x) + ci), 0n);
}

function ttpKeygen(threshold, n) {
	const v = Array.from({ length: threshold }, randScalar);
	const ws = Array.from({ length: 5 }, () => Array.from({ length: threshold }, randScalar));
	const keys = [];
	for (let id = 1; id <= n; id++)
		keys.push({ index: id, x: polyEval(v, id), ys: ws.map((w) => polyEval(w, id)) });
	return { keys, master: { x: v[0], ys: ws.map((w) => w[0]) } };
}

function verificationKey(sk) {
	return { alpha: g2mul(G2.BASE, sk.x), beta_g1: sk.ys.map((y) => g1mul(G1.BASE, y)),
	    beta_g2: sk.ys.map((y) => g2mul(G2.BASE, y)) };
}

// aggregate_verification_keys with indices
function aggregateVk(vks, idx) {
	const l = lagrange(idx);
	const sum = (f, Z) => vks.reduce((acc, vk, i) => acc.add(f(vk).multiply(l[i])), Z);
	return {
		alpha: sum((vk) => vk.alpha, G2.ZERO),
		beta_g1: vks[0].beta_g1.map((_, j) => sum((vk) => vk.beta_g1[j], G1.ZERO)),
		beta_g2: vks[0].beta_g2.map((_, j) => sum((vk) => vk.beta_g2[j], G2.ZERO)),
	};
}

// withdrawal.rs issue(), after checking the commitment hash as
// request_verify does (the withdrawal proof itself is the wasm's business).
function blindSign(sk, req, expTs, tType) {
	const expect = hashG1(g1b(req.jc.add(GAMMA[2].multiply(BigInt(expTs))).add(
	    tType ? GAMMA[3].multiply(BigInt(tType)) : G1.ZERO)));
	if (!expect.equals(req.jch)) throw new Error('withdrawal request hash');
	let c = req.pcs[0].multiply(sk.ys[0]).add(req.pcs[1].multiply(sk.ys[1]));
	c = c.add(req.jch.multiply(mod(sk.x + sk.ys[2] * BigInt(expTs) + sk.ys[3] * BigInt(tType))));
	return cat(g1b(req.jch), g1b(c));
}

function parseWithdrawalRequest(b) {
	const r = new Reader(b);
	const jch = r.g1(), jc = r.g1(), pcs = r.vec(() => r.g1());
	return { jch, jc, pcs };
}

// expiration_date_signatures.rs sign_expiration_date, then aggregated
function expirationSigs(keys, idx, expTs) {
	const l = lagrange(idx);
	const out = [];
	for (let off = 0; off < VALIDITY_DAYS; off++) {
		const spendTs = expTs - (VALIDITY_DAYS - off - 1) * DAY;
		const h = hashG1(cat(frb(BigInt(expTs)), frb(BigInt(spendTs))));
		let s = G1.ZERO;
		keys.forEach((k, i) => {
			const e = mod(k.x + k.ys[0] * BigInt(expTs) + k.ys[1] * BigInt(spendTs) + k.ys[2] * TYPE_EXP);
			s = s.add(h.multiply(e).multiply(l[i]));
		});
		out.push({ h, s, spendTs });
	}
	return out;
}

// coin_indices_signatures.rs sign_coin_indices over the master key
function coinIndexSigs(keys, idx, masterVk) {
	const l = lagrange(idx), vkb = vkBytes(masterVk);
	const out = [];
	for (let i = 0; i < NB_TICKETS; i++) {
		const h = hashG1(cat(vkb, n2le(BigInt(i), 8)));
		let s = G1.ZERO;
		keys.forEach((k, j) => {
			const e = mod(k.x + k.ys[0] * BigInt(i) + (k.ys[1] + k.ys[2]) * TYPE_IDX);
			s = s.add(h.multiply(e).multiply(l[j]));
		});
		out.push({ h, s });
	}
	return out;
}

// The exported ImportableTicketBook: the wallet we spend from.
function parseImportable(b) {
	const r = new Reader(b);
	const tb = new Reader(r.bytes());
	const wallet = { h: tb.g1(), s: tb.g1(), v: tb.fr(), expTs: Number(tb.varint()),
	    tType: tb.u8() };
	wallet.spent = tb.varint();
	wallet.epoch = tb.varint();
	wallet.sk = tb.fr();
	return wallet;
}

// --- the spender (scheme/mod.rs spend, proof_spend.rs construct) ----------
function blindRandomise(sig) {
	const r = randScalar(), rp = randScalar();
	const h = sig.h.multiply(rp);
	return { sig: { h, s: sig.s.multiply(rp).add(h.multiply(r)) }, r };
}

const payInfoHash = (payInfo, k) => hashToScalar(cat(payInfo, n2le(BigInt(k), 8)));

function challenge(vk, inst, t, payInfo, spendValue) {
	const bin = cat(binG2(inst.kappa), binG1(inst.cc), binVec(inst.aa, binG1),
	    binVec(inst.ss, binG1), binVec(inst.tt, binG1), binVec(inst.kappa_k, binG2),
	    binG2(inst.kappa_e));
	const d = sha256(cat(g1b(G1.BASE), g2b(G2.BASE), ...GAMMA.map(g1b), vkBytes(vk), bin,
	    g2b(t.kappa), g2b(t.kappa_e), g1b(t.cc), ...t.aa.map(g1b), ...t.ss.map(g1b),
	    ...t.kappa_k.map(g2b), ...t.gamma1.map(g1b), ...t.tt.map(g1b), payInfo,
	    n2le(BigInt(spendValue), 8)));
	// Scalar::from_bytes_wide(0^32 || digest)
	return mod(le2n(d) << 256n);
}

function spend(vk, w, expSigs, coinSigs, payInfo, spendTs, l) {
	const g = GAMMA[1], exp = BigInt(w.expTs);
	const attrs = [w.sk, w.v, exp];
	const { sig, r } = blindRandomise({ h: w.h, s: w.s });
	const kappa = G2.BASE.multiply(r).add(vk.alpha).add(attrs.reduce(
	    (a, m, i) => a.add(g2mul(vk.beta_g2[i], m)), G2.ZERO));
	const di = (spendTs - (w.expTs - (VALIDITY_DAYS - 1) * DAY)) / DAY;
	const { sig: sigExp, r: rE } = blindRandomise(expSigs[di]);
	const kappaE = G2.BASE.multiply(rE).add(vk.alpha).add(vk.beta_g2[0].multiply(exp));
	const oC = randScalar();
	const cc = G1.BASE.multiply(oC).add(g.multiply(w.v));
	const lk = BigInt(l);
	const rr = payInfoHash(payInfo, 0);
	const oA = randScalar();
	const aa = G1.BASE.multiply(oA).add(g1mul(g, lk));
	const mu = finv(w.v + lk + 1n);
	const ss = DELTA.multiply(mu);
	const tt = G1.BASE.multiply(w.sk).add(G1.BASE.multiply(mu).multiply(rr));
	const oMu = mod(-((oA + oC) * mu));
	const { sig: omega, r: rK } = blindRandomise(coinSigs[l]);
	const kappaK = G2.BASE.multiply(rK).add(vk.alpha).add(g2mul(vk.beta_g2[0], lk));
	const inst = { kappa, cc, aa: [aa], ss: [ss], tt: [tt], kappa_k: [kappaK], kappa_e: kappaE };
	// witness replacements; r_k stays empty, as in scheme/mod.rs
	const ra = attrs.map(randScalar), rr_ = randScalar(), rrE = randScalar(), roC = randScalar();
	const rl = randScalar(), roA = randScalar(), rmu = randScalar(), roMu = randScalar();
	const t = {
		kappa: G2.BASE.multiply(rr_).add(vk.alpha).add(ra.reduce(
		    (a, m, i) => a.add(vk.beta_g2[i].multiply(m)), G2.ZERO)),
		cc: G1.BASE.multiply(roC).add(g.multiply(ra[1])),
		kappa_e: G2.BASE.multiply(rrE).add(vk.alpha).add(vk.beta_g2[0].multiply(ra[2])),
		aa: [G1.BASE.multiply(roA).add(g.multiply(rl))],
		kappa_k: [],
		ss: [DELTA.multiply(rmu)],
		tt: [G1.BASE.multiply(ra[0]).add(G1.BASE.multiply(rr).multiply(rmu))],
		gamma1: [aa.add(cc).add(g).multiply(rmu).add(G1.BASE.multiply(roMu))],
	};
	const c = challenge(vk, inst, t, payInfo, 1);
	const resp = (rep, sec) => mod(rep - c * sec);
	const proof = { c, r: resp(rr_, r), rE: resp(rrE, rE), rK: [], l: [resp(rl, lk)],
	    oA: [resp(roA, oA)], oC: resp(roC, oC), mu: [resp(rmu, mu)], oMu: [resp(roMu, oMu)],
	    attrs: ra.map((x, i) => resp(x, attrs[i])) };
	return { kappa, kappaE, sig, sigExp, kappaK: [kappaK], omega: [omega], ss: [ss], tt: [tt],
	    aa: [aa], spendValue: 1, cc, tType: w.tType, proof };
}

// Payment's bincode and CredentialSpendingData::to_bytes; fields notes
// where each field lies, for the mutation tests.
function encodeTicket(pay, payInfo, spendTs, epochId) {
	const parts = [], fields = [];
	const put = (name, b) => { parts.push({ name, b }); };
	const sig = (n, s) => { put(n + '.h', binG1(s.h)); put(n + '.s', binG1(s.s)); };
	put('kappa', binG2(pay.kappa));
	put('kappa_e', binG2(pay.kappaE));
	sig('sig', pay.sig);
	sig('sig_exp', pay.sigExp);
	put('kappa_k.len', varint(pay.kappaK.length)); pay.kappaK.forEach((p) => put('kappa_k', binG2(p)));
	put('omega.len', varint(pay.omega.length)); pay.omega.forEach((s) => sig('omega', s));
	for (const f of ['ss', 'tt', 'aa']) {
		put(f + '.len', varint(pay[f].length));
		pay[f].forEach((p) => put(f, binG1(p)));
	}
	put('spend_value', varint(pay.spendValue));
	put('cc', binG1(pay.cc));
	put('t_type', Uint8Array.of(pay.tType));
	const pf = pay.proof;
	const one = (n, s) => put('zk_proof.' + n, binFr(s));
	const vec = (n, v) => { put('zk_proof.' + n + '.len', varint(v.length)); v.forEach((s) => one(n, s)); };
	one('challenge', pf.c); one('response_r', pf.r); one('response_r_e', pf.rE);
	vec('responses_r_k', pf.rK); vec('responses_l', pf.l); vec('responses_o_a', pf.oA);
	one('response_o_c', pf.oC); vec('responses_mu', pf.mu); vec('responses_o_mu', pf.oMu);
	vec('responses_attributes', pf.attrs);
	const payment = cat(...parts.map((p) => p.b));
	let off = 4;
	fields.push(['payment_len', 0, 4]);
	for (const p of parts) { fields.push([p.name, off, p.b.length]); off += p.b.length; }
	const jdn = spendTs / DAY + JDN_UNIX_EPOCH;
	const tail = cat(payInfo, n2be(BigInt(jdn), 4), n2be(BigInt(epochId), 8));
	fields.push(['pay_info.random', off, 32], ['pay_info.timestamp', off + 32, 8],
	    ['pay_info.provider', off + 40, 32], ['spend_date', off + 72, 4],
	    ['epoch_id', off + 76, 8]);
	return { bytes: cat(n2be(BigInt(payment.length), 4), payment, tail), fields };
}

// --- an independent verifier (scheme/mod.rs spend_verify) ----------------
function pairingCheck(pairs) {
	const f = pairs.filter(([p, q]) => !p.equals(G1.ZERO) && !q.equals(G2.ZERO))
	    .reduce((acc, [p, q]) => bls.fields.Fp12.mul(acc, bls.pairing(p, q, false)), bls.fields.Fp12.ONE);
	return bls.fields.Fp12.eql(bls.fields.Fp12.finalExponentiate(f), bls.fields.Fp12.ONE);
}

function verify(vk, pay, payInfo, spendTs) {
	const g = GAMMA[1], pf = pay.proof, c = pf.c, c1 = mod(1n - c);
	const rr = payInfoHash(payInfo, 0);
	const t = {
		kappa: pay.kappa.multiply(c).add(vk.alpha.multiply(c1)).add(G2.BASE.multiply(pf.r)).add(
		    pf.attrs.reduce((a, m, i) => a.add(vk.beta_g2[i].multiply(m)), G2.ZERO)),
		kappa_e: pay.kappaE.multiply(c).add(vk.alpha.multiply(c1)).add(
		    vk.beta_g2[0].multiply(pf.attrs[2])).add(G2.BASE.multiply(pf.rE)),
		cc: G1.BASE.multiply(pf.oC).add(g.multiply(pf.attrs[1])).add(pay.cc.multiply(c)),
		aa: [G1.BASE.multiply(pf.oA[0]).add(g.multiply(pf.l[0])).add(pay.aa[0].multiply(c))],
		ss: [DELTA.multiply(pf.mu[0]).add(pay.ss[0].multiply(c))],
		kappa_k: [],
		gamma1: [pay.aa[0].add(pay.cc).add(g).multiply(pf.mu[0]).add(
		    G1.BASE.multiply(pf.oMu[0])).add(g.multiply(c))],
		tt: [G1.BASE.multiply(pf.attrs[0]).add(G1.BASE.multiply(rr).multiply(pf.mu[0])).add(
		    pay.tt[0].multiply(c))],
	};
	const inst = { kappa: pay.kappa, cc: pay.cc, aa: pay.aa, ss: pay.ss, tt: pay.tt,
	    kappa_k: pay.kappaK, kappa_e: pay.kappaE };
	if (challenge(vk, inst, t, payInfo, 1) !== c) return 'zk proof';
	const neg = G2.BASE.negate();
	if (!pairingCheck([[pay.sig.h, g2mul(vk.beta_g2[3], BigInt(pay.tType)).add(pay.kappa)],
	    [pay.sig.s, neg]])) return 'signature';
	const ke = pay.kappaE.add(vk.beta_g2[1].multiply(BigInt(spendTs))).add(vk.beta_g2[2].multiply(TYPE_EXP));
	if (!pairingCheck([[pay.sigExp.h, ke], [pay.sigExp.s, neg]])) return 'expiration signature';
	const part = vk.beta_g2[1].multiply(TYPE_IDX).add(vk.beta_g2[2].multiply(TYPE_IDX));
	if (!pairingCheck(pay.omega.flatMap((o, k) => [[o.h, part.add(pay.kappaK[k])], [o.s, neg]])))
		return 'coin index signature';
	return 'ok';
}

// --- issue one ticketbook through Nym's wasm and spend one ticket ----------
function issue(w, kg, vks, masterVk, type) {
	const tb = new w.NymIssuanceTicketbook({ ticketbookType: type });
	const req = JSON.parse(tb.buildRequestPayload(false));
	const expTs = Date.parse(req.expirationDate + 'T00:00:00Z') / 1000;
	const tType = TYPES.indexOf(type);
	const wr = parseWithdrawalRequest(bs58dec(req.withdrawalRequest));
	const shares = SIGNERS.map((i) => ({ nodeIndex: i,
	    bs58EncodedShare: bs58enc(blindSign(kg.keys[i - 1], wr, expTs, tType)) }));
	const issued = tb.unblindWalletShares({ epochId: EPOCH_ID, shares },
	    { epochId: EPOCH_ID, keys: vks.map((vk, i) => ({ nodeIndex: i + 1,
	    bs58EncodedKey: bs58enc(vkBytes(vk)) })) },
	    { epochId: EPOCH_ID, bs58EncodedKey: bs58enc(vkBytes(masterVk)) });
	const ser = issued.serialise();
	if (ser.serialisationRevision !== 1) throw new Error('ticketbook revision');
	const wallet = parseImportable(bs58dec(ser.bs58EncodedData));
	if (wallet.expTs !== expTs || wallet.tType !== tType || wallet.epoch !== BigInt(EPOCH_ID))
		throw new Error('exported ticketbook does not match the request');
	return wallet;
}

function makeTicket(w, kg, vks, masterVk, coinSigs, spec) {
	const wallet = issue(w, kg, vks, masterVk, spec.type);
	const keys = SIGNERS.map((i) => kg.keys[i - 1]);
	const expSigs = expirationSigs(keys, SIGNERS, wallet.expTs);
	const spendTs = wallet.expTs - (VALIDITY_DAYS - 1 - spec.day) * DAY;
	// late: 10 s before midnight, so that a next-day spend date passes
	// the pay_info timestamp check and reaches the expiration signature
	const now = spendTs + (spec.late ? DAY - 10 : 12 * 3600);
	const payInfo = cat(crypto.randomBytes(32), n2be(BigInt(now), 8), PROVIDER);
	const pay = spend(masterVk, wallet, expSigs, coinSigs, payInfo, spendTs, spec.coin);
	const v = verify(masterVk, pay, payInfo, spendTs);
	if (v !== 'ok') throw new Error(`${spec.name}: own verifier says ${v}`);
	const { bytes, fields } = encodeTicket(pay, payInfo, spendTs, EPOCH_ID);
	return { name: spec.name, t_type: wallet.tType, coin: spec.coin, late: !!spec.late, now,
	    bytes: hex(bytes), fields };
}

async function main() {
	const w = await loadWasm();
	const kg = ttpKeygen(2, 3);
	const vks = kg.keys.map(verificationKey);
	const masterVk = aggregateVk(SIGNERS.map((i) => vks[i - 1]), SIGNERS);
	const direct = verificationKey(kg.master);
	if (!masterVk.alpha.equals(direct.alpha)) throw new Error('key aggregation');
	const coinSigs = coinIndexSigs(SIGNERS.map((i) => kg.keys[i - 1]), SIGNERS, masterVk);
	// the first two are what a live run (COUNT = 2) makes
	const specs = [
		{ name: 'mixnet-entry, coin 0, first day', type: TYPES[0], coin: 0, day: 0 },
		{ name: 'mixnet-entry, coin 2, third day, 10 s to midnight', type: TYPES[0], coin: 2,
		    day: 2, late: true },
		{ name: 'mixnet-exit, coin 7, fourth day', type: TYPES[1], coin: 7, day: 3 },
		{ name: 'wireguard-entry, coin 49, last day', type: TYPES[2], coin: 49, day: 6 },
		{ name: 'wireguard-exit, coin 1, second day', type: TYPES[3], coin: 1, day: 1 },
	].slice(0, COUNT);
	const tickets = specs.map((s) => makeTicket(w, kg, vks, masterVk, coinSigs, s));
	const other = verificationKey(ttpKeygen(2, 3).master);
	const out = {
		about: 'zk-nym test tickets made by regress/ecash/ticketgen.mjs: Nym wasm ' +
		    'issuance (2-of-3 test signers 1 and 3), spent by ticketgen.mjs',
		epoch_id: EPOCH_ID,
		provider: hex(PROVIDER),
		master_vk_json: vkJson(masterVk),
		master_vk_bytes: hex(vkBytes(masterVk)),
		partial_vk_bytes: vks.map((vk) => hex(vkBytes(vk))),
		other_vk_json: vkJson(other),
		tickets,
	};
	fs.mkdirSync(path.dirname(OUT), { recursive: true });
	fs.writeFileSync(OUT, JSON.stringify(out, null, 1) + '\n');
	console.log(`${OUT}: ${tickets.length} tickets`);
}

await main();
