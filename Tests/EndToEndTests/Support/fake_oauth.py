#!/usr/bin/env python3
"""A local OAuth 2.0 provider speaking GitHub's and Google's authorization-code flow, for the
hub's OAuth tests. Usage: fake_oauth.py PORT CLIENT_ID CLIENT_SECRET

GitHub:  GET  /login/oauth/authorize   POST /login/oauth/access_token
         GET  /api/user                GET  /api/user/emails
Google:  GET  /google/auth             POST /google/token          GET /google/userinfo

The authorise endpoints take two test-only parameters besides the standard ones: `as`, the
JSON profile the issued code stands for (GitHub: id, login, name, avatar_url, emails;
Google: id, email, name, picture; `"mode": "badjson" | "huge" | "500"` breaks the profile
answer), and `deny`, which redirects back with `error=<deny>` instead of a code. Codes are
single use and bound to the client id and redirect URI, as a real provider binds them.
GET /log lists the requests received (path, query, form, authorization).
"""
import json
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

PORT, CLIENT_ID, CLIENT_SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()
codes = {}    # code -> {provider, profile, redirect_uri}
tokens = {}   # access token -> {provider, profile}
log = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_json(self, status, value, raw=None):
        body = raw if raw is not None else json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def record(self, form=None):
        url = urlparse(self.path)
        with lock:
            log.append({"path": url.path, "query": {k: v[0] for k, v in parse_qs(url.query).items()},
                        "form": form or {}, "authorization": self.headers.get("Authorization")})

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/log":
            with lock:
                return self.send_json(200, log)
        self.record()
        if url.path in ("/login/oauth/authorize", "/google/auth"):
            return self.authorize("github" if url.path.startswith("/login") else "google", query)
        if url.path in ("/api/user", "/api/user/emails", "/google/userinfo"):
            return self.profile(url.path)
        self.send_json(404, {"message": "Not Found"})

    def authorize(self, provider, query):
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code" or "redirect_uri" not in query:
            return self.send_json(400, {"error": "invalid_request"})
        target = query["redirect_uri"]
        state = query.get("state", "")
        if "deny" in query:
            return self.redirect(target + "?" + urlencode({"error": query["deny"], "state": state}))
        code = secrets.token_urlsafe(16)
        with lock:
            codes[code] = {"provider": provider, "profile": json.loads(query.get("as", "{}")), "redirect_uri": target}
        self.redirect(target + "?" + urlencode({"code": code, "state": state}))

    def do_POST(self):
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.record(form)
        if url.path not in ("/login/oauth/access_token", "/google/token"):
            return self.send_json(404, {"message": "Not Found"})
        provider = "github" if url.path.startswith("/login") else "google"
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return self.send_json(401 if provider == "google" else 200, {"error": "invalid_client"})
        if provider == "google" and form.get("grant_type") != "authorization_code":
            return self.send_json(400, {"error": "unsupported_grant_type"})
        with lock:
            grant = codes.pop(form.get("code", ""), None)
        if grant is None or grant["provider"] != provider or grant["redirect_uri"] != form.get("redirect_uri"):
            # GitHub answers a bad code with 200 and an error; Google with 400.
            return self.send_json(200 if provider == "github" else 400, {"error": "bad_verification_code" if provider == "github" else "invalid_grant"})
        token = "tok_" + secrets.token_urlsafe(16)
        with lock:
            tokens[token] = grant
        answer = {"access_token": token, "token_type": "bearer", "scope": "read:user,user:email"}
        if provider == "google":
            answer.update(expires_in=3599, refresh_token="rt_" + secrets.token_urlsafe(16), scope="openid email profile")
        self.send_json(200, answer)

    def profile(self, path):
        auth = self.headers.get("Authorization", "")
        with lock:
            grant = tokens.get(auth[len("Bearer "):]) if auth.startswith("Bearer ") else None
        if grant is None:
            return self.send_json(401, {"message": "Bad credentials"})
        profile = grant["profile"]
        mode = profile.get("mode")
        if mode == "badjson":
            return self.send_json(200, None, raw=b"<html>not json</html>")
        if mode == "huge":
            return self.send_json(200, None, raw=b'{"pad":"' + b"x" * (2 << 20) + b'"}')
        if mode == "500":
            return self.send_json(500, {"message": "boom"})
        if path == "/api/user/emails":
            return self.send_json(200, profile.get("emails", []))
        self.send_json(200, {k: v for k, v in profile.items() if k != "emails"})


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
