#!/usr/bin/env python3
"""One local HTTP server that speaks the APIs of the seven service-agent providers, for
ServiceAgentProvidersTests. A base URL is http://127.0.0.1:<port>/<scenario>[/<root>]; the
scenario picks the behaviour:

  ok         success; slow providers answer "processing" for POLLS polls, then done
  fail       HTTP 500 {"error": {"message": "upstream exploded"}} on every call
  nochoices  chat: 200 without `choices`
  errorbody  chat: 200 with an `error` object and no choices
  b64        openai-image: the image inline as b64_json
  sync       stability-audio: the audio in the first answer
  taskfail   slow providers: the task ends FAILED
  never      slow providers: the task never ends
  badtype    media URLs are served as text/html
  huge       media URLs announce a 200 MiB body

Keys: "Bearer good-key" or "xi-api-key: good-key"; anything else is 401.
GET /files/<name> serves deterministic bytes (image.png, video.mp4, model.glb) to anyone.
GET /state   {"polls": {task: n}, "requests": [{method, path, auth, contentType, body}]}
Listens on 127.0.0.1:<argv[1]>.
"""
import base64
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

POLLS = 2
lock = threading.Lock()
state = {"polls": {}, "requests": [], "next": 0}

TYPES = {"png": "image/png", "mp4": "video/mp4", "glb": "model/gltf-binary", "mp3": "audio/mpeg"}


def file_bytes(name):
    """Bytes that differ per name and cover all 256 values."""
    seed = sum(name.encode())
    head = {"png": b"\x89PNG\r\n\x1a\n", "mp4": b"\x00\x00\x00\x18ftypmp42", "glb": b"glTF\x02\x00\x00\x00",
            "mp3": b"ID3\x04\x00\x00"}.get(name.rsplit(".", 1)[-1], b"")
    return head + bytes((i * 7 + seed) % 256 for i in range(5000 + seed))


def speech_bytes(text):
    return b"ID3\x04\x00\x00" + text.encode() + bytes(range(256)) * 4


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="application/json", length=None):
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length if length is not None else len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorized(self):
        return self.headers.get("Authorization") == "Bearer good-key" or self.headers.get("xi-api-key") == "good-key"

    def record(self, raw):
        with lock:
            state["requests"].append({
                "method": self.command, "path": self.path,
                "auth": self.headers.get("Authorization") or self.headers.get("xi-api-key"),
                "contentType": self.headers.get("Content-Type"), "runwayVersion": self.headers.get("X-Runway-Version"),
                "accept": self.headers.get("Accept"), "body": raw.decode("utf-8", "replace")})

    def base(self, scenario):
        return "http://127.0.0.1:%d/%s" % (self.server.server_address[1], scenario)

    def task(self, prefix):
        with lock:
            state["next"] += 1
            return "%s-%d" % (prefix, state["next"])

    def poll(self, task):
        with lock:
            state["polls"][task] = state["polls"].get(task, 0) + 1
            return state["polls"][task]

    def do_GET(self):
        self.handle_request(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.handle_request(self.rfile.read(length) if length else b"")

    def handle_request(self, raw):
        if self.path == "/state":
            with lock:
                return self.send(200, {"polls": state["polls"], "requests": state["requests"]})
        match = re.match(r"^/([a-z0-9]+)(/.*)$", self.path)
        if not match:
            return self.send(404, {"error": "not found"})
        scenario, path = match.group(1), match.group(2)
        path = re.sub(r"^/v2beta(?=/)", "", path)
        if path.startswith("/files/"):
            name = path[len("/files/"):]
            if scenario == "badtype":
                return self.send(200, b"<html>not media</html>", "text/html")
            if scenario == "huge":
                return self.send(200, b"", TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream"), length=200 << 20)
            return self.send(200, file_bytes(name), TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream"))
        self.record(raw)
        if not self.authorized():
            return self.send(401, {"error": {"message": "Invalid API key"}})
        if scenario == "fail":
            return self.send(500, {"error": {"message": "upstream exploded"}})
        try:
            body = json.loads(raw) if raw and (self.headers.get("Content-Type") or "").startswith("application/json") else {}
        except ValueError:
            body = {}
        method = self.command

        # openai-chat, perplexity
        if method == "POST" and path == "/chat/completions":
            if scenario == "nochoices":
                return self.send(200, {"id": "chatcmpl-1", "object": "chat.completion"})
            if scenario == "errorbody":
                return self.send(200, {"error": {"message": "quota exceeded"}})
            prompt = (body.get("messages") or [{}])[-1].get("content", "")
            return self.send(200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": "answer: " + prompt}}],
                                   "citations": ["https://example.com/a", "https://example.com/b"]})
        if method == "GET" and path == "/models":
            return self.send(200, {"data": [{"id": "fake"}]})
        # openai-image
        if method == "POST" and path == "/images/generations":
            if scenario == "b64":
                return self.send(200, {"data": [{"b64_json": base64.b64encode(file_bytes("inline.png")).decode()}]})
            return self.send(200, {"data": [{"url": self.base(scenario) + "/files/image.png", "revised_prompt": "a revised prompt"}]})
        # elevenlabs
        if method == "POST" and path.startswith("/text-to-speech/"):
            return self.send(200, speech_bytes(body.get("text", "")), "audio/mpeg")
        if method == "GET" and path == "/voices":
            return self.send(200, {"voices": []})
        # runway
        if method == "POST" and path == "/text_to_video":
            return self.send(200, {"id": self.task("video")})
        if method == "GET" and path.startswith("/tasks/"):
            task = path[len("/tasks/"):]
            n = self.poll(task)
            if scenario == "never" or n <= POLLS:
                return self.send(200, {"id": task, "status": "RUNNING"})
            if scenario == "taskfail":
                return self.send(200, {"id": task, "status": "FAILED", "failure": "content moderation"})
            return self.send(200, {"id": task, "status": "SUCCEEDED", "output": [self.base(scenario) + "/files/video.mp4"]})
        if method == "GET" and path == "/organization":
            return self.send(200, {"creditBalance": 100})
        # stability-audio (the /v2beta root is stripped above)
        if method == "POST" and path == "/audio/generate":
            if scenario == "sync":
                return self.send(200, {"audio": base64.b64encode(file_bytes("music.mp3")).decode()})
            return self.send(200, {"id": self.task("music")})
        if method == "GET" and path.startswith("/audio/generate/"):
            task = path[len("/audio/generate/"):]
            n = self.poll(task)
            if scenario == "never" or n <= POLLS:
                return self.send(200, {"id": task, "status": "in-progress"})
            if scenario == "taskfail":
                return self.send(200, {"id": task, "status": "failed"})
            return self.send(200, {"id": task, "status": "complete", "audio": base64.b64encode(file_bytes("music.mp3")).decode()})
        if method == "GET" and path == "/v1/user/account":
            return self.send(200, {"id": "user-1"})
        # meshy
        if method == "POST" and path == "/text-to-3d":
            return self.send(200, {"result": self.task("mesh")})
        if method == "GET" and path.startswith("/text-to-3d?"):
            return self.send(200, [])
        if method == "GET" and path.startswith("/text-to-3d/"):
            task = path[len("/text-to-3d/"):]
            n = self.poll(task)
            if scenario == "never" or n <= POLLS:
                return self.send(200, {"id": task, "status": "IN_PROGRESS" if n > 1 else "PENDING"})
            if scenario == "taskfail":
                return self.send(200, {"id": task, "status": "FAILED", "task_error": {"message": "mesh too complex"}})
            return self.send(200, {"id": task, "status": "SUCCEEDED", "model_urls": {"glb": self.base(scenario) + "/files/model.glb"},
                                   "thumbnail_url": self.base(scenario) + "/files/thumb.png"})
        self.send(404, {"error": "no such endpoint"})


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
server.daemon_threads = True
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
