// The offline verifier (kotalive/web/templates/web/document_offline.html; format: docs/documents.md).
// A QR holds "<verification URL>#KL1:<Base45>" (or the bare "KL1:..." text): zlib-compressed COSE_Sign1 (RFC 9052)
// over CBOR claims, signed with Ed25519. The key list and the signed revocation list are kept in localStorage;
// when either is older than the allowed age, a valid signature still ends as "cannot decide".
"use strict";
(function () {
  const root = document.getElementById("verifier");
  if (!root) return;
  const maxAgeHours = Number(root.dataset.maxAgeHours || "24");
  const reasons = JSON.parse(root.dataset.reasons || "{}");
  const texts = {};
  document.getElementById("texts").content.querySelectorAll("[data-k]").forEach((el) => { texts[el.dataset.k] = el.textContent.trim(); });
  const $ = (id) => document.getElementById(id);
  const fill = (text, values) => text.replace(/%?%\((\w+)\)s/g, (_m, k) => String(values[k]));  // "%%" from the template tag

  // ---- Base45 (RFC 9285)
  const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  function base45Decode(s) {
    const out = [];
    for (let i = 0; i < s.length; i += 3) {
      const c = [...s.slice(i, i + 3)].map((ch) => B45.indexOf(ch));
      if (c.includes(-1) || c.length === 1) throw new Error("base45");
      if (c.length === 3) {
        const n = c[0] + c[1] * 45 + c[2] * 2025;
        if (n > 0xffff) throw new Error("base45");
        out.push(n >> 8, n & 0xff);
      } else {
        const n = c[0] + c[1] * 45;
        if (n > 0xff) throw new Error("base45");
        out.push(n);
      }
    }
    return new Uint8Array(out);
  }

  // ---- zlib (the browser's own inflate)
  async function inflate(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  // ---- CBOR (RFC 8949): the subset a seal uses
  function cborDecode(bytes) {
    let pos = 0;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    function length(info) {
      if (info < 24) return info;
      if (info === 24) return bytes[pos++];
      if (info === 25) { const v = view.getUint16(pos); pos += 2; return v; }
      if (info === 26) { const v = view.getUint32(pos); pos += 4; return v; }
      if (info === 27) { const v = Number(view.getBigUint64(pos)); pos += 8; return v; }
      throw new Error("cbor");
    }
    function item() {
      if (pos >= bytes.length) throw new Error("cbor");
      const first = bytes[pos++];
      const major = first >> 5, info = first & 31;
      if (major === 7) {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        throw new Error("cbor");
      }
      const n = length(info);
      switch (major) {
        case 0: return n;
        case 1: return -1 - n;
        case 2: { if (pos + n > bytes.length) throw new Error("cbor"); const b = bytes.slice(pos, pos + n); pos += n; return b; }
        case 3: { if (pos + n > bytes.length) throw new Error("cbor"); const t = new TextDecoder("utf-8", { fatal: true }).decode(bytes.slice(pos, pos + n)); pos += n; return t; }
        case 4: { const a = []; for (let i = 0; i < n; i++) a.push(item()); return a; }
        case 5: { const m = new Map(); for (let i = 0; i < n; i++) { const k = item(); m.set(k, item()); } return m; }
        case 6: return { tag: n, value: item() };
      }
      throw new Error("cbor");
    }
    const value = item();
    if (pos !== bytes.length) throw new Error("cbor");
    return value;
  }
  function cborHead(major, n) {
    if (n < 24) return [(major << 5) | n];
    if (n < 256) return [(major << 5) | 24, n];
    return [(major << 5) | 25, n >> 8, n & 0xff];
  }
  function sigStructure(protectedBytes, payload) {
    // ["Signature1", protected, h'', payload]
    const label = new TextEncoder().encode("Signature1");
    const parts = [cborHead(4, 4), cborHead(3, label.length), [...label], cborHead(2, protectedBytes.length),
      [...protectedBytes], cborHead(2, 0), cborHead(2, payload.length), [...payload]];
    return new Uint8Array(parts.flat());
  }

  const b64url = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4)), (c) => c.charCodeAt(0));

  async function ed25519Verify(jwkX, signature, data) {
    const key = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: jwkX }, { name: "Ed25519" }, false, ["verify"]);
    return crypto.subtle.verify({ name: "Ed25519" }, key, signature, data);
  }

  // ---- the lists
  const store = {
    get(name) { try { return JSON.parse(localStorage.getItem("kotalive-verifier-" + name) || "null"); } catch (_e) { return null; } },
    set(name, value) { localStorage.setItem("kotalive-verifier-" + name, JSON.stringify(value)); },
  };

  async function revocationsVerify(jws, keys) {
    const [h, p, s] = jws.trim().split(".");
    const header = JSON.parse(new TextDecoder().decode(b64url(h)));
    const key = keys.find((k) => k.kid === header.kid && k.crv === "Ed25519");
    if (!key || header.alg !== "EdDSA") throw new Error("revocations key");
    const ok = await ed25519Verify(key.x, b64url(s), new TextEncoder().encode(h + "." + p));
    if (!ok) throw new Error("revocations signature");
    return JSON.parse(new TextDecoder().decode(b64url(p)));
  }

  async function listsRefresh() {
    try {
      const keysResponse = await fetch(root.dataset.keysUrl, { cache: "no-store" });
      const keySet = await keysResponse.json();
      const jws = await (await fetch(root.dataset.revocationsUrl, { cache: "no-store" })).text();
      const revocations = await revocationsVerify(jws, keySet.keys);
      store.set("keys", { keys: keySet.keys, fetched: Date.now() });
      store.set("revocations", revocations);
      listsShow();
    } catch (_e) {
      listsShow(texts.lists_failed);
    }
  }

  function listsShow(prefix) {
    const keys = store.get("keys"), revocations = store.get("revocations");
    const status = $("lists-status");
    if (!keys || !revocations) { status.textContent = (prefix ? prefix + " " : "") + texts.no_lists; return; }
    status.textContent = (prefix ? prefix + " " : "") + fill(texts.lists_ok, {
      keys: new Date(keys.fetched).toLocaleString(), revocations: new Date(revocations.iat * 1000).toLocaleString(),
    });
  }

  // ---- the check
  function sealText(raw) {
    let text = raw.trim();
    const hash = text.indexOf("#");
    if (hash >= 0) {  // an address: the seal is its fragment, percent-encoded
      text = text.slice(hash + 1);
      try { text = decodeURIComponent(text); } catch (_e) { /* left as it is: the prefix check decides */ }
    }
    if (!text.startsWith("KL1:")) throw new Error("prefix");
    return text.slice(4);
  }

  function show(kind, title, detail, claims) {
    const box = $("verdict");
    box.hidden = false;
    box.className = "verdict verdict-" + kind;
    box.replaceChildren();
    const strong = document.createElement("strong");
    strong.textContent = title;
    const p = document.createElement("p");
    p.textContent = detail;
    box.append(strong, p);
    const list = $("claims");
    list.replaceChildren();
    list.hidden = !claims;
    if (claims) {
      for (const [k, v] of [["type", claims.get("t")], ["number", claims.get("n")], ["agency", claims.get("a")],
        ["date", claims.get("d")], ["subject", claims.get("s")]]) {
        const dt = document.createElement("dt"); dt.textContent = texts[k];
        const dd = document.createElement("dd"); dd.textContent = String(v);
        list.append(dt, dd);
      }
    }
  }

  async function check() {
    $("verdict").hidden = true;  // the last answer goes until this one is known
    $("claims").hidden = true;
    if (!(crypto && crypto.subtle)) { show("unknown", texts.undecided, texts.no_crypto); return; }
    let message;
    try {
      message = cborDecode(await inflate(base45Decode(sealText($("qr-text").value))));
      if (!message || message.tag !== 18 || !Array.isArray(message.value) || message.value.length !== 4) throw new Error("cose");
    } catch (_e) {
      show("revoked", texts.invalid, texts.bad_format);
      return;
    }
    const [protectedBytes, _unprotected, payload, signature] = message.value;
    let header, claims;
    try {
      header = cborDecode(protectedBytes);
      claims = cborDecode(payload);
      if (!(header instanceof Map) || header.get(1) !== -8 || !(claims instanceof Map)) throw new Error("cose");
    } catch (_e) {
      show("revoked", texts.invalid, texts.bad_format);
      return;
    }
    const kid = new TextDecoder().decode(header.get(4));
    const keys = store.get("keys"), revocations = store.get("revocations");
    if (!keys || !revocations) { show("unknown", texts.undecided, texts.no_lists, claims); return; }
    const key = keys.keys.find((k) => k.kid === kid && k.crv === "Ed25519");
    if (!key) {
      const ageHours = (Date.now() - keys.fetched) / 3.6e6;
      // A key newer than our list could be the reason: with an old list, say so instead of "invalid".
      if (ageHours > maxAgeHours) show("unknown", texts.undecided, fill(texts.stale, { hours: Math.floor(ageHours), max: maxAgeHours }), claims);
      else show("revoked", texts.invalid, texts.unknown_key, claims);
      return;
    }
    let ok = false;
    try { ok = await ed25519Verify(key.x, signature, sigStructure(protectedBytes, payload)); } catch (_e) {
      show("unknown", texts.undecided, texts.no_crypto, claims);
      return;
    }
    if (!ok) { show("revoked", texts.invalid, texts.bad_signature, claims); return; }
    const issued = Date.parse(claims.get("d") + "T23:59:59Z") / 1000;
    // Issued after the key stopped sealing cannot be (a document is sealed after it is issued, never before).
    if (issued > key.exp + 86400) { show("revoked", texts.invalid, texts.key_window, claims); return; }
    const revoked = revocations.revoked.find((r) => r.id === claims.get("id"));
    if (revoked) {
      show("revoked", texts.invalid, fill(texts.revoked, {
        date: new Date(revoked.at * 1000).toLocaleDateString(), reason: reasons[revoked.reason] || revoked.reason,
      }), claims);
      return;
    }
    const oldest = Math.min(keys.fetched, revocations.iat * 1000);
    const ageHours = (Date.now() - oldest) / 3.6e6;
    if (ageHours > maxAgeHours) {
      show("unknown", texts.undecided, fill(texts.stale, { hours: Math.floor(ageHours), max: maxAgeHours }), claims);
      return;
    }
    show("valid", texts.valid, texts.valid_detail, claims);
  }

  // ---- the camera, where the browser can read QR codes itself
  async function scan() {
    const video = $("qr-video");
    try {
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const tick = async () => {
        const found = await detector.detect(video).catch(() => []);
        if (found.length) {
          stream.getTracks().forEach((t) => t.stop());
          video.hidden = true;
          $("qr-text").value = found[0].rawValue;
          check();
        } else requestAnimationFrame(tick);
      };
      tick();
    } catch (_e) {
      show("unknown", texts.undecided, texts.camera_failed);
    }
  }

  $("qr-check").addEventListener("click", check);
  $("lists-refresh").addEventListener("click", listsRefresh);
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    $("qr-camera").hidden = false;
    $("qr-camera").addEventListener("click", scan);
  }
  // Opened from a QR's address (/v/offline#KL1:...): check it at once.
  if (location.hash.length > 1) $("qr-text").value = location.href;
  listsShow();
  listsRefresh().then(() => { if ($("qr-text").value) check(); });
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(root.dataset.swUrl, { scope: "/v/" }).catch(() => {});
}());
