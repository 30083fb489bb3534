#!/usr/bin/env python3
"""A deterministic OpenAI-compatible chat-completions server for the router tests.

The first path segment after /v1/ picks the behaviour, so each behaviour is its own
`llmBaseUrl` (and its own circuit breaker): POST /v1/<mode>/chat/completions.

  all        every candidate id of the prompt
  named      the candidates whose name appears in the user's message
  fenced     all ids, inside prose and a ```json fence, followed by a second object
  reasoning  all ids in `reasoning_content`, `content` null
  garbage    a 2xx answer without any JSON object
  fail       HTTP 500
  hang       sleeps 30 s before answering
  redirect   302 to /v1/all/chat/completions
  slow       all ids after 50 ms
  switch     behaves as the mode set by POST /control {"switch": "<mode>"} (default fail)
  chat       a service-agent answer: "echo: <last user content>"

GET /calls     {"total": n, "byMarker": {"<marker>": count}, "byMode": {...}} where a marker
               is any `[m:<id>]` in the user's message.
GET /last      the last request: {"path", "authorization", "body"}
POST /reset    clears the counters.
Listens on 127.0.0.1:<argv[1]> (a free port when absent) and prints "PORT <n>".
"""
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
state = {"total": 0, "byMarker": {}, "byMode": {}, "last": None, "switch": "fail"}


def candidates(prompt):
    return re.findall(r'id: "([^"]+)", name: "([^"]+)"', prompt)


def user_message(prompt):
    match = re.search(r'User message: "(.*)"\s*$', prompt, re.S)
    return match.group(1) if match else prompt


def completion(content, reasoning=None):
    message = {"role": "assistant", "content": content}
    if reasoning is not None:
        message["reasoning_content"] = reasoning
    return {"id": "chatcmpl-fake", "object": "chat.completion", "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=None):
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with lock:
            if self.path == "/calls":
                return self.reply(200, {"total": state["total"], "byMarker": state["byMarker"], "byMode": state["byMode"]})
            if self.path == "/last":
                return self.reply(200, state["last"] or {})
        if self.path.endswith("/models"):
            return self.reply(200, {"data": [{"id": "fake"}]})
        self.reply(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        if self.path == "/reset":
            with lock:
                state.update(total=0, byMarker={}, byMode={}, last=None)
            return self.reply(200, {"ok": True})
        if self.path == "/control":
            with lock:
                state["switch"] = body.get("switch", state["switch"])
            return self.reply(200, {"ok": True})
        match = re.match(r"^/v1/([a-z]+)/chat/completions$", self.path)
        if not match:
            return self.reply(404, {"error": "not found"})
        mode = match.group(1)
        messages = body.get("messages") or []
        prompt = messages[-1].get("content", "") if messages else ""
        with lock:
            if mode == "switch":
                mode = state["switch"]
            state["total"] += 1
            state["byMode"][mode] = state["byMode"].get(mode, 0) + 1
            for marker in re.findall(r"\[m:([^\]]+)\]", prompt):
                state["byMarker"][marker] = state["byMarker"].get(marker, 0) + 1
            state["last"] = {"path": self.path, "authorization": self.headers.get("Authorization"), "body": body}
        ids = [cid for cid, _ in candidates(prompt)]
        if mode == "fail":
            return self.reply(500, {"error": {"message": "upstream exploded"}})
        if mode == "hang":
            time.sleep(30)
            return self.reply(200, completion('{"agentIds": []}'))
        if mode == "redirect":
            return self.reply(302, {}, {"Location": "/v1/all/chat/completions"})
        if mode == "garbage":
            return self.reply(200, completion("I would rather not say."))
        if mode == "chat":
            return self.reply(200, completion("echo: " + prompt))
        if mode == "slow":
            time.sleep(0.05)
        if mode == "named":
            text = user_message(prompt).lower()
            ids = [cid for cid, name in candidates(prompt) if name.lower() in text]
        answer = json.dumps({"agentIds": ids})
        if mode == "fenced":
            return self.reply(200, completion('Here is my choice:\n```json\n' + answer + '\n```\nAlso {"agentIds": ["nobody"]}'))
        if mode == "reasoning":
            return self.reply(200, completion(None, answer))
        self.reply(200, completion(answer))


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
server.daemon_threads = True
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
