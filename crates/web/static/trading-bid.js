// The bidder's section page: seal (HPKE, trading-seal.js) and sign (SM2, trading-sign.js) a bid
// in the browser, offer the bid key to save, then submit the ciphertext and signature to
// POST /api/v1/tenders/sections/{id}/bids with the session's CSRF token. Neither the bid key
// nor the signing key is sent. At the opening, a chosen key file fills the decryption form.
import { sealBid } from "./trading-seal.js";
import { parseSigningKey, publicKeyOf, sign, sm3, toHex } from "./trading-sign.js";

const panel = document.getElementById("seal-panel");
const decryptFile = document.getElementById("d-file");

if (decryptFile) {
  decryptFile.addEventListener("change", async (e) => {
    const f = e.target.files[0];
    if (f) document.getElementById("d-key").value = await f.text();
  });
}

if (panel && document.getElementById("seal-form")) {
  const d = panel.dataset;
  const en = d.en === "1";
  const t = (zh, eng) => (en ? eng : zh);
  const status = document.getElementById("seal-status");
  const form = document.getElementById("seal-form");
  const result = document.getElementById("seal-result");
  const link = document.getElementById("bid-key-link");
  const saved = document.getElementById("key-saved");
  const submit = document.getElementById("submit-bid");
  let sealed = null;

  const say = (text, error) => {
    status.textContent = text;
    status.className = error ? "error" : "muted";
  };

  saved.addEventListener("change", () => {
    submit.disabled = !saved.checked;
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = form.elements.file.files[0];
    const keyFile = form.elements.signing_key.files[0];
    if (!file || !keyFile) {
      say(t("请选择投标文件和签名密钥文件。", "Choose the bid file and the signing key file."), true);
      return;
    }
    try {
      say(t("正在加密……", "Sealing…"));
      const secret = parseSigningKey(await keyFile.text());
      if (publicKeyOf(secret) !== d.publicKey.toLowerCase()) {
        throw new Error(
          t(
            "签名密钥与本单位登记的公钥不符，请选择最新的签名密钥文件。",
            "This signing key does not match your registered public key; choose the latest key file.",
          ),
        );
      }
      const { sealedFile, keyText } = await sealBid({
        code: d.code,
        custodianKey: d.custodian,
        price: form.elements.price.value,
        durationDays: form.elements.days.value,
        filename: file.name,
        file: await file.arrayBuffer(),
      });
      const digest = "sm3:" + toHex(sm3(sealedFile));
      const action = d.replace;
      const text =
        "yiwang-bid/v1\naction=" + action + "\ntransaction_code=" + d.code + "\nbidder=" + d.credit +
        "\nciphertext_digest=" + digest + "\nsize=" + sealedFile.length + "\n";
      sealed = { sealedFile, signature: sign(secret, text), action };
      if (link.href && link.href.startsWith("blob:")) URL.revokeObjectURL(link.href);
      link.href = URL.createObjectURL(new Blob([keyText], { type: "text/plain" }));
      link.download = "bid-key-" + d.code + ".txt";
      form.hidden = true;
      result.hidden = false;
      say(t("加密完成，密文摘要：", "Sealed; ciphertext digest: ") + digest);
    } catch (err) {
      say(err.message || String(err), true);
    }
  });

  submit.addEventListener("click", async () => {
    if (!sealed) return;
    submit.disabled = true;
    say(t("正在递交……", "Submitting…"));
    const body = new FormData();
    body.append("party_id", d.party);
    body.append("action", sealed.action);
    body.append("signature", sealed.signature);
    body.append("file", new Blob([sealed.sealedFile], { type: "application/octet-stream" }), "sealed-bid.bin");
    try {
      const r = await fetch("/api/v1/tenders/sections/" + encodeURIComponent(d.section) + "/bids", {
        method: "POST",
        body,
        headers: { "X-CSRF-Token": d.csrf },
        credentials: "same-origin",
      });
      const answer = await r.json().catch(() => ({}));
      if (r.status !== 201) {
        submit.disabled = false;
        say((en ? answer.message_en : answer.message) || "HTTP " + r.status, true);
        return;
      }
      const no = answer.receipt && answer.receipt.receipt_no ? answer.receipt.receipt_no : "";
      say(t("递交成功，回执编号：", "Submitted; receipt number: ") + no);
      status.dataset.receipt = no;
      setTimeout(() => window.location.reload(), 1500);
    } catch (err) {
      submit.disabled = false;
      say(err.message || String(err), true);
    }
  });
}
