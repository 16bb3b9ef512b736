// 投标文件加密 in the browser: seals a bid file exactly as `yiwang bid seal` does (formats in
// yiwang_core::trading::sealing): HPKE (RFC 9180) base mode, DHKEM(P-256, HKDF-SHA256) /
// HKDF-SHA256 / AES-128-GCM through the vendored @hpke/core (WebCrypto). Two layers: the
// plaintext (manifest line + file) sealed to a fresh bid key pair, and the bid private key sealed
// to the section's custodian public key. Only the sealed file leaves the browser; the bid key
// file is offered to the bidder to keep until the opening.
import {
  Aes128Gcm,
  CipherSuite,
  DhkemP256HkdfSha256,
  HkdfSha256,
} from "./vendor/hpke-core-1.9.0.js";

const SUITE = "DHKEM(P-256,HKDF-SHA256)/HKDF-SHA256/AES-128-GCM";
const enc = new TextEncoder();

function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(text) {
  const t = text.trim();
  if (!/^([0-9a-fA-F]{2})+$/.test(t)) throw new Error("bad hex");
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function concat(...parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/// The price as the manifest writes it: non-negative, at most two decimals, as typed.
function normalisePrice(price) {
  const t = String(price).trim();
  if (!/^\d+(\.\d{1,2})?$/.test(t)) throw new Error("报价应为非负数，至多两位小数。");
  return t;
}

export async function sealBid({ code, custodianKey, price, durationDays, filename, file }) {
  const suite = new CipherSuite({
    kem: new DhkemP256HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Aes128Gcm(),
  });
  const fileBytes = new Uint8Array(file);
  const fileSha = hex(await crypto.subtle.digest("SHA-256", fileBytes));
  const manifest = {
    price: normalisePrice(price),
    duration_days: durationDays === undefined || durationDays === null || durationDays === ""
      ? null
      : Number(durationDays),
    filename: filename || "bid",
    size: fileBytes.length,
    file_sha256: fileSha,
  };
  const plaintext = concat(
    enc.encode("yiwang-bid-plaintext/v1\n" + JSON.stringify(manifest) + "\n"),
    fileBytes,
  );
  const bidKeys = await suite.kem.generateKeyPair();
  const bidPublic = new Uint8Array(await suite.kem.serializePublicKey(bidKeys.publicKey));
  const bidPrivate = new Uint8Array(await suite.kem.serializePrivateKey(bidKeys.privateKey));
  const sealed = await suite.seal(
    { recipientPublicKey: bidKeys.publicKey, info: enc.encode("yiwang-bid/v1\n" + code) },
    plaintext,
  );
  const custodian = await suite.kem.deserializePublicKey(unhex(custodianKey));
  const wrapped = await suite.seal(
    {
      recipientPublicKey: custodian,
      info: enc.encode("yiwang-bid-key/v1\n" + code),
    },
    bidPrivate,
    bidPublic,
  );
  const header = {
    suite: SUITE,
    transaction_code: code,
    bid_public_key: hex(bidPublic),
    enc: hex(sealed.enc),
    custodian_public_key: hex(unhex(custodianKey)),
    wrapped_key: { enc: hex(wrapped.enc), ct: hex(wrapped.ct) },
  };
  const sealedFile = concat(
    enc.encode("yiwang-sealed-bid/v1\n" + JSON.stringify(header) + "\n"),
    new Uint8Array(sealed.ct),
  );
  const keyText =
    "yiwang-bid-key/v1\ntransaction_code=" + code + "\npublic_key=" + hex(bidPublic) +
    "\nprivate_key=" + hex(bidPrivate) + "\n";
  return { sealedFile, keyText };
}
