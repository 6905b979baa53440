// merkle.js - checks an inclusion proof of the transparency log in the browser (RFC 6962 hashes with WebCrypto SHA-256, the path walk of RFC 9162 2.1.3.2), as docs/verify-disclosure.md does offline.

const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
function unhex(h) {
	if (!/^([0-9a-f]{2})*$/i.test(h || '')) throw new Error('bad hex');
	const out = new Uint8Array(h.length / 2);
	for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
	return out;
}
function unbase64(s) {
	const bin = atob(s || '');
	const out = new Uint8Array(bin.length);
	for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
	return out;
}
async function sha256(prefix, ...parts) {
	const len = 1 + parts.reduce((s, p) => s + p.length, 0);
	const buf = new Uint8Array(len);
	buf[0] = prefix;
	let o = 1;
	for (const p of parts) {
		buf.set(p, o);
		o += p.length;
	}
	return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
}

/** Whether this browser can check proofs (WebCrypto needs HTTPS or localhost). */
export const canVerify = () => typeof crypto !== 'undefined' && !!crypto.subtle && typeof crypto.subtle.digest === 'function';

/**
 * Check a proof of GET /public/log/proof/:index. Resolves to
 * {ok, leafOk, rootOk, checkpointOk, signed, computedRoot, leafHash, leaf (text), reason}:
 * leafOk: SHA-256(0x00 || leaf) is the proof's leaf_hash; rootOk: the root recomputed
 * from the audit path is the proof's root; checkpointOk: that root and size are the
 * signed checkpoint's (null when there is no checkpoint yet). reason: the first
 * failure as a key of dis.verify.* ('' when all hold).
 */
export async function verifyProof(p) {
	const res = { ok: false, leafOk: false, rootOk: false, checkpointOk: null, signed: !!p.checkpoint, computedRoot: '', leafHash: '', leaf: '', reason: '' };
	let leaf;
	try {
		leaf = unbase64(p.leaf);
		res.leaf = new TextDecoder().decode(leaf);
	} catch {
		res.reason = 'badLeaf';
		return res;
	}
	let r = await sha256(0x00, leaf);
	res.leafHash = hex(r);
	res.leafOk = res.leafHash === String(p.leaf_hash || '').toLowerCase();
	if (!res.leafOk) {
		res.reason = 'leafMismatch';
		return res;
	}
	let fn = Number(p.leaf_index);
	let sn = Number(p.tree_size) - 1;
	if (!(fn >= 0) || fn > sn) {
		res.reason = 'indexOutside';
		return res;
	}
	for (const h of p.audit_path || []) {
		let node;
		try {
			node = unhex(h);
		} catch {
			res.reason = 'badPath';
			return res;
		}
		if (sn === 0) {
			res.reason = 'pathTooLong';
			return res;
		}
		if (fn % 2 === 1 || fn === sn) {
			r = await sha256(0x01, node, r);
			while (fn % 2 === 0 && fn !== 0) {
				fn = Math.floor(fn / 2);
				sn = Math.floor(sn / 2);
			}
		} else {
			r = await sha256(0x01, r, node);
		}
		fn = Math.floor(fn / 2);
		sn = Math.floor(sn / 2);
	}
	res.computedRoot = hex(r);
	res.rootOk = sn === 0 && res.computedRoot === String(p.root || '').toLowerCase();
	if (!res.rootOk) {
		res.reason = 'rootMismatch';
		return res;
	}
	if (p.checkpoint) {
		res.checkpointOk = p.checkpoint.root === res.computedRoot && Number(p.checkpoint.tree_size) === Number(p.tree_size);
		if (!res.checkpointOk) {
			res.reason = 'checkpointMismatch';
			return res;
		}
	}
	res.ok = true;
	return res;
}

// SM3 (GB/T 32905-2016), to compare the text shown with the content_sm3 of the leaf.
const rotl = (x, n) => ((x << (n & 31)) | (x >>> (32 - (n & 31)))) >>> 0;
const P0 = (x) => (x ^ rotl(x, 9) ^ rotl(x, 17)) >>> 0;
const P1 = (x) => (x ^ rotl(x, 15) ^ rotl(x, 23)) >>> 0;

/** The lowercase hex SM3 of a string's UTF-8 bytes, or of bytes ('' for an empty string, as the server's leaf has it). */
export function sm3Hex(text) {
	if (!text || !text.length) return '';
	const msg = typeof text === 'string' ? new TextEncoder().encode(text) : text;
	const bitLen = msg.length * 8;
	const total = Math.ceil((msg.length + 9) / 64) * 64;
	const buf = new Uint8Array(total);
	buf.set(msg);
	buf[msg.length] = 0x80;
	const dv = new DataView(buf.buffer);
	dv.setUint32(total - 8, Math.floor(bitLen / 0x100000000));
	dv.setUint32(total - 4, bitLen >>> 0);
	const V = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];
	const W = new Array(68);
	const W1 = new Array(64);
	for (let off = 0; off < total; off += 64) {
		for (let j = 0; j < 16; j++) W[j] = dv.getUint32(off + 4 * j);
		for (let j = 16; j < 68; j++) W[j] = (P1(W[j - 16] ^ W[j - 9] ^ rotl(W[j - 3], 15)) ^ rotl(W[j - 13], 7) ^ W[j - 6]) >>> 0;
		for (let j = 0; j < 64; j++) W1[j] = (W[j] ^ W[j + 4]) >>> 0;
		let [A, B, C, D, E, F, G, H] = V;
		for (let j = 0; j < 64; j++) {
			const T = j < 16 ? 0x79cc4519 : 0x7a879d8a;
			const a12 = rotl(A, 12);
			const SS1 = rotl((a12 + E + rotl(T, j % 32)) >>> 0, 7);
			const SS2 = (SS1 ^ a12) >>> 0;
			const FF = j < 16 ? A ^ B ^ C : (A & B) | (A & C) | (B & C);
			const GG = j < 16 ? E ^ F ^ G : (E & F) | (~E & G);
			const TT1 = ((FF >>> 0) + D + SS2 + W1[j]) >>> 0;
			const TT2 = ((GG >>> 0) + H + SS1 + W[j]) >>> 0;
			D = C;
			C = rotl(B, 9);
			B = A;
			A = TT1;
			H = G;
			G = rotl(F, 19);
			F = E;
			E = P0(TT2);
		}
		const r = [A, B, C, D, E, F, G, H];
		for (let i = 0; i < 8; i++) V[i] = (V[i] ^ r[i]) >>> 0;
	}
	return V.map((x) => x.toString(16).padStart(8, '0')).join('');
}

/** The SM3 fingerprint of a PEM public key's DER bytes, as `openssl pkey -pubin -outform DER | openssl dgst -sm3` prints it. */
export function keyFingerprint(pem) {
	const b64 = String(pem || '')
		.replace(/-----[^-]+-----/g, '')
		.replace(/\s+/g, '');
	try {
		return sm3Hex(unbase64(b64));
	} catch {
		return '';
	}
}

/** JSON with sorted keys and no spaces, as the server stores a finance table (its SM3 is the leaf's finance_sm3). */
export function canonicalJson(x) {
	if (Array.isArray(x)) return '[' + x.map(canonicalJson).join(',') + ']';
	if (x && typeof x === 'object')
		return (
			'{' +
			Object.keys(x)
				.sort()
				.map((k) => JSON.stringify(k) + ':' + canonicalJson(x[k]))
				.join(',') +
			'}'
		);
	return JSON.stringify(x);
}
