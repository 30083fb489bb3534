"""RFC 6238 TOTP (SHA-1, 6 digits, 30 s), the parameters http-api.md §3.4 fixes."""
import base64, hashlib, hmac, struct, time


def totp(secret_base32: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret_base32.upper() + "=" * (-len(secret_base32) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return str(code).zfill(digits)


def fresh_totp(secret_base32: str) -> str:
    """A code with at least 5 s of its window left, so it is still valid when the server checks it."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.1)  # waits for the next window, bounded by 5 s
    return totp(secret_base32)
