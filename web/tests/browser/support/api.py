"""A small REST client for the hub (JSON envelopes of http-api.md), used to seed data as admin."""
import json, mimetypes, urllib.error, urllib.request, uuid


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status, self.body = status, body


class Api:
    def __init__(self, base: str, token: str | None = None):
        self.base, self.token = base.rstrip("/"), token

    def request(self, method, path, body=None, raw=None, content_type="application/json", timeout=30):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, method=method, data=data)
        if data is not None:
            req.add_header("Content-Type", content_type)
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                text = resp.read()
                return json.loads(text) if text else {}
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = text.decode(errors="replace")
            raise ApiError(error.code, parsed) from None

    def get(self, path): return self.request("GET", path)
    def post(self, path, body=None): return self.request("POST", path, body if body is not None else {})
    def put(self, path, body=None): return self.request("PUT", path, body if body is not None else {})
    def delete(self, path): return self.request("DELETE", path)

    # --- the calls the tests use -------------------------------------------------------------
    @classmethod
    def login(cls, base, username, password):
        data = cls(base).post("/api/auth/login", {"username": username, "password": password})["data"]
        return cls(base, data["accessToken"]), data["user"]

    def create_user(self, username, password, role="user", display_name=None):
        body = {"username": username, "password": password, "role": role}
        if display_name:
            body["displayName"] = display_name
        return self.post("/api/users", body)["data"]

    def create_room(self, name, member_ids=(), **extra):
        return self.post("/api/rooms", {"name": name, "memberIds": list(member_ids), **extra})["data"]

    def add_member(self, room_id, member_id, member_type="user"):
        return self.post(f"/api/rooms/{room_id}/members", {"memberId": member_id, "memberType": member_type})

    def members(self, room_id):
        return self.get(f"/api/rooms/{room_id}/members")["data"]

    def rooms(self):
        return self.get("/api/rooms")["data"]

    def messages(self, room_id, limit=100):
        """The room's latest messages, oldest first (the API answers newest first)."""
        return list(reversed(self.get(f"/api/messages/rooms/{room_id}?limit={limit}")["data"]["items"]))

    def upload(self, filename, content: bytes, mime=None):
        boundary = uuid.uuid4().hex
        mime = mime or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                f"Content-Type: {mime}\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        return self.request("POST", "/api/upload", raw=body, content_type=f"multipart/form-data; boundary={boundary}")["data"]
