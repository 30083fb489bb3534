"""A real local Web Push service for the tests and the benchmark (RFC 8030 receiving side).

It hands out subscriptions (a fresh P-256 key pair and auth secret per subscription, as a
browser would), and for every push it receives it checks the VAPID JWT (RFC 8292: ES256
signature by the key in `k`, `aud` = this service's origin, `exp` within 24 h, `sub` a
mailto: or https: URL) and decrypts the body (RFC 8291 aes128gcm) with the subscription's
private key. Each push is recorded with what was wrong with it, if anything.

GET  /health
POST /subscriptions            {"name": ...}           -> {"endpoint", "keys": {"p256dh", "auth"}}
POST /control                  {"name", "mode"}        mode: ok | gone | fail:N (503 N times) | slow
GET  /received                 -> [{"name", "payload", "errors", "headers", "at"}]
POST /reset                    forgets received pushes
POST /push/<name>              a push
"""
import base64, json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hmac import HMAC
from cryptography.exceptions import InvalidSignature

PORT = int(sys.argv[1])
ORIGIN = "http://127.0.0.1:%d" % PORT
lock = threading.Lock()
subs = {}       # name -> {"key": private key, "auth": bytes, "mode": str, "failures": int}
received = []


def b64d(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hmac256(key, data):
    h = HMAC(key, hashes.SHA256())
    h.update(data)
    return h.finalize()


def point(public_key):
    return public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def check_vapid(authorization, errors, seen):
    """Returns the VAPID public key (base64url) after checking the JWT; problems go to errors."""
    if not authorization.startswith("vapid "):
        errors.append("authorization is not vapid: %r" % authorization[:40])
        return None
    params = {}
    for part in authorization[len("vapid "):].split(","):
        key, _, value = part.strip().partition("=")
        params[key] = value
    token, k = params.get("t"), params.get("k")
    if not token or not k:
        errors.append("vapid t or k missing")
        return None
    try:
        header_b64, claims_b64, sig_b64 = token.split(".")
        header = json.loads(b64d(header_b64))
        claims = json.loads(b64d(claims_b64))
        seen.update(claims if isinstance(claims, dict) else {})
        sig = b64d(sig_b64)
        if header.get("alg") != "ES256" or header.get("typ") != "JWT":
            errors.append("bad jwt header %r" % header)
        raw = b64d(k)
        if len(raw) != 65 or len(sig) != 64:
            errors.append("bad key or signature length")
            return None
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        public.verify(der, (header_b64 + "." + claims_b64).encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        errors.append("jwt signature does not verify")
        return None
    except Exception as e:  # malformed token
        errors.append("jwt unreadable: %s" % e)
        return None
    now = time.time()
    if claims.get("aud") != ORIGIN:
        errors.append("aud %r is not %r" % (claims.get("aud"), ORIGIN))
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now or exp > now + 24 * 3600:
        errors.append("exp %r not within 24 h" % exp)
    sub = claims.get("sub", "")
    if not (isinstance(sub, str) and (sub.startswith("mailto:") or sub.startswith("https:"))):
        errors.append("sub %r is not mailto:/https:" % sub)
    return k


def decrypt(sub, body, errors):
    """RFC 8291 with the subscription's private key; returns the plaintext or None."""
    try:
        salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
        keyid = body[21:21 + idlen]
        ciphertext = body[21 + idlen:]
        if idlen != 65 or rs < 18:
            errors.append("bad aes128gcm header")
            return None
        sender = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), keyid)
        shared = sub["key"].exchange(ec.ECDH(), sender)
        ua_public = point(sub["key"].public_key())
        prk_key = hmac256(sub["auth"], shared)
        ikm = hmac256(prk_key, b"WebPush: info\x00" + ua_public + keyid + b"\x01")
        prk = hmac256(salt, ikm)
        cek = hmac256(prk, b"Content-Encoding: aes128gcm\x00\x01")[:16]
        nonce = hmac256(prk, b"Content-Encoding: nonce\x00\x01")[:12]
        if len(ciphertext) > rs:
            errors.append("more than one record")
        plain = AESGCM(cek).decrypt(nonce, ciphertext, None)
        plain = plain.rstrip(b"\x00")
        if not plain.endswith(b"\x02"):
            errors.append("last record delimiter missing")
            return None
        return plain[:-1]
    except Exception as e:
        errors.append("cannot decrypt: %s" % e)
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, obj=None):
        data = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        if self.path == "/health":
            return self.reply(200, {"ok": True})
        if self.path == "/received":
            with lock:
                return self.reply(200, list(received))
        self.reply(404, {})

    def do_POST(self):
        raw = self.body()
        if self.path == "/subscriptions":
            name = json.loads(raw)["name"]
            key = ec.generate_private_key(ec.SECP256R1())
            auth = os.urandom(16)
            with lock:
                subs[name] = {"key": key, "auth": auth, "mode": "ok", "failures": 0}
            return self.reply(200, {"endpoint": ORIGIN + "/push/" + name,
                                    "keys": {"p256dh": b64e(point(key.public_key())), "auth": b64e(auth)}})
        if self.path == "/control":
            body = json.loads(raw)
            with lock:
                subs[body["name"]]["mode"] = body["mode"]
                subs[body["name"]]["failures"] = 0
            return self.reply(200, {"ok": True})
        if self.path == "/reset":
            with lock:
                received.clear()
            return self.reply(200, {"ok": True})
        if self.path.startswith("/push/"):
            return self.push(self.path[len("/push/"):], raw)
        self.reply(404, {})

    def push(self, name, body):
        at = time.time()
        errors = []
        with lock:
            sub = subs.get(name)
        if sub is None:
            return self.reply(404, {})
        headers = {k: self.headers.get(k) for k in ("TTL", "Urgency", "Topic", "Content-Encoding", "Content-Type")}
        if headers["Content-Encoding"] != "aes128gcm":
            errors.append("content-encoding %r" % headers["Content-Encoding"])
        if not (headers["TTL"] or "").isdigit():
            errors.append("TTL missing")
        if headers["Urgency"] not in (None, "very-low", "low", "normal", "high"):
            errors.append("bad urgency")
        claims = {}
        vapid = check_vapid(self.headers.get("Authorization", ""), errors, claims)
        plain = decrypt(sub, body, errors)
        payload = None
        if plain is not None:
            try:
                payload = json.loads(plain)
            except ValueError:
                errors.append("payload is not JSON")
        mode = sub["mode"]
        status = 201
        if mode == "gone":
            status = 410
        elif mode.startswith("fail:"):
            with lock:
                if sub["failures"] < int(mode[5:]):
                    sub["failures"] += 1
                    status = 503
        elif mode == "slow":
            time.sleep(30)
        if errors:
            status = 400  # a push that fails a check is refused, as a real push service would
        with lock:
            received.append({"name": name, "payload": payload, "errors": errors, "headers": headers,
                             "vapidKey": vapid, "sub": claims.get("sub"), "status": status, "at": at})
        self.reply(status, None if status == 201 else {})


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
