"""A /ws/client socket that stops reading: a raw socket with a small receive buffer that
authenticates, joins a room, and then reads nothing until asked what the edge did with it."""
import base64, json, os, socket, struct, time


class SlowReader:
    def __init__(self, port, token, room):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /ws/client HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"upgrade refused: {head[:200]!r}")
        self.send({"type": "client:auth", "token": token})
        while True:
            opcode, payload = self.frame()
            if opcode == 1 and json.loads(payload).get("type") == "server:auth_result":
                break
        self.send({"type": "client:join_room", "roomId": room})
        self.send({"type": "client:ping", "ts": 1})
        while True:
            opcode, payload = self.frame()
            if opcode == 1 and json.loads(payload).get("type") == "server:pong":
                break

    def send(self, obj):
        data = json.dumps(obj).encode()
        mask = os.urandom(4)
        head = bytes([0x81]) + (bytes([0x80 | len(data)]) if len(data) < 126 else bytes([0x80 | 126]) + struct.pack(">H", len(data)))
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def frame(self):
        b0, b1 = self.read(2)
        length = b1 & 0x7F
        if length == 126:
            length = struct.unpack(">H", self.read(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", self.read(8))[0]
        return b0 & 0x0F, self.read(length)

    def outcome(self, timeout=30):
        """Reads everything the edge still sends; returns (close code or None, reason, frames read, how it ended)."""
        deadline = time.time() + timeout
        frames = 0
        try:
            while time.time() < deadline:
                opcode, payload = self.frame()
                if opcode == 8:
                    code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                    return code, payload[2:].decode(errors="replace"), frames, "close frame"
                frames += 1
            return None, "", frames, "still open"
        except EOFError:
            return None, "", frames, "EOF without close frame"
        except ConnectionResetError:
            return None, "", frames, "connection reset"
        except socket.timeout:
            return None, "", frames, "still open (silent)"
        finally:
            self.sock.close()
