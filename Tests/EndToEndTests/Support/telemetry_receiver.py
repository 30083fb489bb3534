"""A real OTLP/HTTP trace receiver and Sentry envelope endpoint for the observability tests.

POST /v1/traces      an ExportTraceServiceRequest (protobuf, optionally gzip), decoded with
                     opentelemetry-proto; every span is kept.
POST /api/<p>/envelope/  a Sentry envelope; every event item is kept with its auth header.
GET  /spans          the spans so far: [{traceId, spanId, parentSpanId, name, kind, service}]
GET  /sentry         the events so far: [{project, auth, contentType, header, item, event}]
GET  /ready          200

Usage: telemetry_receiver.py PORT
"""
import gzip
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

LOCK = threading.Lock()
SPANS = []
EVENTS = []
REFUSED = []
ENVELOPE_PATH = re.compile(r"^/api/([A-Za-z0-9_-]+)/envelope/$")


def decode_spans(body):
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    spans = []
    for resource_spans in request.resource_spans:
        service = ""
        for attribute in resource_spans.resource.attributes:
            if attribute.key == "service.name":
                service = attribute.value.string_value
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                spans.append({
                    "traceId": span.trace_id.hex(),
                    "spanId": span.span_id.hex(),
                    "parentSpanId": span.parent_span_id.hex(),
                    "name": span.name,
                    "kind": span.kind,
                    "service": service,
                })
    return spans


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with LOCK:
            if self.path == "/spans":
                return self.answer(200, json.dumps(SPANS).encode())
            if self.path == "/sentry":
                return self.answer(200, json.dumps(EVENTS).encode())
            if self.path == "/refused":
                return self.answer(200, json.dumps(REFUSED).encode())
        if self.path == "/ready":
            return self.answer(200, b"{}")
        self.answer(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if self.path == "/v1/traces":
            if self.headers.get("Content-Type") != "application/x-protobuf":
                with LOCK:
                    REFUSED.append("traces content type " + str(self.headers.get("Content-Type")))
                return self.answer(415)
            try:
                spans = decode_spans(body)
            except Exception as error:  # an undecodable export is a test failure, kept for the report
                with LOCK:
                    REFUSED.append("traces: " + repr(error))
                return self.answer(400)
            with LOCK:
                SPANS.extend(spans)
            return self.answer(200, ExportTraceServiceResponse().SerializeToString(), "application/x-protobuf")
        match = ENVELOPE_PATH.match(self.path)
        if match:
            lines = body.split(b"\n")
            try:
                header = json.loads(lines[0])
                item = json.loads(lines[1])
                payload = body.split(b"\n", 2)[2][: item["length"]] if "length" in item else lines[2]
                event = json.loads(payload)
            except Exception as error:
                with LOCK:
                    REFUSED.append("envelope: " + repr(error))
                return self.answer(400)
            with LOCK:
                EVENTS.append({
                    "project": match.group(1),
                    "auth": self.headers.get("X-Sentry-Auth"),
                    "contentType": self.headers.get("Content-Type"),
                    "header": header,
                    "item": item,
                    "event": event,
                })
            return self.answer(200, json.dumps({"id": header.get("event_id")}).encode())
        self.answer(404)


def main():
    port = int(sys.argv[1])
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
