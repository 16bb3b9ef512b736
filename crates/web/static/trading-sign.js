// 投标人签名 in the browser: SM2 signatures (GM/T 0003, over SM3, default distinguishing ID
// 1234567812345678, the 64-byte r‖s in hex) exactly as the platform verifies them
// (yiwang_core::ledger::verify_signature). The party's signing key stays in the browser: it is
// read from the key file the platform issued and never sent anywhere.

const P = BigInt("0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF");
const A = BigInt("0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC");
const B = BigInt("0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");
const N = BigInt("0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123");
const GX = BigInt("0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7");
const GY = BigInt("0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");
const DEFAULT_ID = new TextEncoder().encode("1234567812345678");

// ---- SM3 (GB/T 32905) ----
function rotl(x, n) {
  n %= 32;
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}

export function sm3(bytes) {
  const msg = new Uint8Array(bytes);
  const len = msg.length;
  const total = Math.ceil((len + 9) / 64) * 64;
  const buf = new Uint8Array(total);
  buf.set(msg);
  buf[len] = 0x80;
  const bits = BigInt(len) * 8n;
  for (let i = 0; i < 8; i++) buf[total - 1 - i] = Number((bits >> BigInt(8 * i)) & 0xffn);
  const v = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];
  const w = new Array(68);
  const w1 = new Array(64);
  const p0 = (x) => (x ^ rotl(x, 9) ^ rotl(x, 17)) >>> 0;
  const p1 = (x) => (x ^ rotl(x, 15) ^ rotl(x, 23)) >>> 0;
  for (let off = 0; off < total; off += 64) {
    for (let j = 0; j < 16; j++) {
      const o = off + 4 * j;
      w[j] = ((buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]) >>> 0;
    }
    for (let j = 16; j < 68; j++) {
      w[j] = (p1(w[j - 16] ^ w[j - 9] ^ rotl(w[j - 3], 15)) ^ rotl(w[j - 13], 7) ^ w[j - 6]) >>> 0;
    }
    for (let j = 0; j < 64; j++) w1[j] = (w[j] ^ w[j + 4]) >>> 0;
    let [a, b, c, d, e, f, g, h] = v;
    for (let j = 0; j < 64; j++) {
      const t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
      const ss1 = rotl((rotl(a, 12) + e + rotl(t, j)) >>> 0, 7);
      const ss2 = (ss1 ^ rotl(a, 12)) >>> 0;
      const ff = j < 16 ? a ^ b ^ c : (a & b) | (a & c) | (b & c);
      const gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g);
      const tt1 = (((ff >>> 0) + d + ss2 + w1[j]) >>> 0);
      const tt2 = (((gg >>> 0) + h + ss1 + w[j]) >>> 0);
      d = c;
      c = rotl(b, 9);
      b = a;
      a = tt1;
      h = g;
      g = rotl(f, 19);
      f = e;
      e = p0(tt2);
    }
    const nv = [a, b, c, d, e, f, g, h];
    for (let i = 0; i < 8; i++) v[i] = (v[i] ^ nv[i]) >>> 0;
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    out[4 * i] = v[i] >>> 24;
    out[4 * i + 1] = (v[i] >>> 16) & 0xff;
    out[4 * i + 2] = (v[i] >>> 8) & 0xff;
    out[4 * i + 3] = v[i] & 0xff;
  }
  return out;
}

// ---- the curve ----
function mod(a, m) {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function inv(a, m) {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

function add(p, q) {
  if (p === null) return q;
  if (q === null) return p;
  if (p[0] === q[0]) {
    if (mod(p[1] + q[1], P) === 0n) return null;
    const l = mod((3n * p[0] * p[0] + A) * inv(2n * p[1], P), P);
    const x = mod(l * l - 2n * p[0], P);
    return [x, mod(l * (p[0] - x) - p[1], P)];
  }
  const l = mod((q[1] - p[1]) * inv(q[0] - p[0], P), P);
  const x = mod(l * l - p[0] - q[0], P);
  return [x, mod(l * (p[0] - x) - p[1], P)];
}

function mul(k, pt) {
  let r = null;
  let q = pt;
  while (k > 0n) {
    if (k & 1n) r = add(r, q);
    q = add(q, q);
    k >>= 1n;
  }
  return r;
}

function be32(x) {
  return x.toString(16).padStart(64, "0");
}

function fromHex(text) {
  const t = text.trim();
  if (!/^([0-9a-fA-F]{2})*$/.test(t)) throw new Error("bad hex");
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function randomScalar() {
  for (;;) {
    const k = BigInt("0x" + toHex(crypto.getRandomValues(new Uint8Array(32))));
    if (k > 0n && k < N) return k;
  }
}

/** The 64-hex-digit secret of a signing key file (`private_key=…`) or of a bare hex line. */
export function parseSigningKey(text) {
  const line = String(text)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l.startsWith("private_key=") || /^[0-9a-fA-F]{64}$/.test(l));
  const hex = line ? line.replace(/^private_key=/, "") : "";
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new Error("签名密钥文件格式不正确。 The signing key file is not valid.");
  }
  const d = BigInt("0x" + hex);
  if (d <= 0n || d >= N - 1n) throw new Error("签名密钥无效。 The signing key is not valid.");
  return hex.toLowerCase();
}

/** The public key (`04‖x‖y`, hex) of a secret. */
export function publicKeyOf(secretHex) {
  const [x, y] = mul(BigInt("0x" + secretHex), [GX, GY]);
  return "04" + be32(x) + be32(y);
}

/** SM2-sign the UTF-8 bytes of `text` with the secret; the signature r‖s as hex. */
export function sign(secretHex, text) {
  const d = BigInt("0x" + secretHex);
  const pub = fromHex(publicKeyOf(secretHex)).slice(1);
  const za = sm3(
    new Uint8Array([
      0x00,
      0x80,
      ...DEFAULT_ID,
      ...fromHex(be32(A)),
      ...fromHex(be32(B)),
      ...fromHex(be32(GX)),
      ...fromHex(be32(GY)),
      ...pub,
    ]),
  );
  const e = BigInt("0x" + toHex(sm3(new Uint8Array([...za, ...new TextEncoder().encode(text)]))));
  for (;;) {
    const k = randomScalar();
    const [x1] = mul(k, [GX, GY]);
    const r = mod(e + x1, N);
    if (r === 0n || r + k === N) continue;
    const s = mod(inv(1n + d, N) * (k - r * d), N);
    if (s === 0n) continue;
    return be32(r) + be32(s);
  }
}

export { toHex };
