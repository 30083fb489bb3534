#!/usr/bin/env python3
"""Benchmark agent speaking Claude Code's stream-json (agent-cli.md §12.3): after the user message it
emits BENCH_CHUNKS assistant text blocks, each `t=<send time ns>;` padded, as fast as it can (or
BENCH_DELAY seconds apart), then a result."""
import json, os, sys, threading, time

chunks = int(os.environ.get("BENCH_CHUNKS", "1000"))
delay = float(os.environ.get("BENCH_DELAY", "0"))
out_lock = threading.Lock()

def out(obj):
    with out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

got_user = threading.Event()
def reader():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        msg = json.loads(line)
        if msg.get("type") == "control_request":
            out({"type": "control_response", "response": {"subtype": "success", "request_id": msg["request_id"], "response": {}}})
        elif msg.get("type") == "user":
            got_user.set()
    got_user.set()
threading.Thread(target=reader, daemon=True).start()
got_user.wait()
out({"type": "system", "subtype": "init", "session_id": "bench", "model": "bench"})
for i in range(chunks):
    text = "t=%d;i=%d;" % (time.time_ns(), i)
    out({"type": "assistant", "message": {"role": "assistant", "content": [{"type": "text", "text": text}]}})
    if delay:
        time.sleep(delay)
out({"type": "result", "subtype": "success", "total_cost_usd": 0, "usage": {"input_tokens": 1, "output_tokens": 1}})
