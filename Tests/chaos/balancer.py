#!/usr/bin/env python3
"""A TCP load balancer for the chaos suite, standing in for what a deployment puts in front of
two replicas of a service (a Kubernetes Service, nginx upstream, HAProxy): each listening port
spreads new connections round-robin over the backends that answer their health check, and
tries the next backend when a connection is refused.

    python3 balancer.py LISTEN_PORT=BACKEND_PORT,BACKEND_PORT[:HEALTH_PATH] ...

Health: GET HEALTH_PATH (default /internal/health) every second with a 1 s timeout; a
backend that does not answer 200 gets no new connection (connections already open are left
alone, as with a real balancer). Runs until killed."""
import asyncio, itertools, sys

PROBE_EVERY = 1.0


class Pool:
    def __init__(self, backends, health_path):
        self.backends, self.health_path = backends, health_path
        self.healthy = set(backends)
        self.turn = itertools.count()

    async def probe_forever(self):
        while True:
            results = await asyncio.gather(*(self.probe(port) for port in self.backends))
            self.healthy = {port for port, ok in zip(self.backends, results) if ok}
            await asyncio.sleep(PROBE_EVERY)

    async def probe(self, port):
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 1)
        except Exception:
            return False
        try:
            writer.write(f"GET {self.health_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            line = await asyncio.wait_for(reader.readline(), 1)
            return line.split(b" ")[1:2] == [b"200"]
        except Exception:
            return False
        finally:
            writer.close()

    def order(self):
        """Backends to try for a new connection: the healthy ones from the next turn on, then the rest."""
        n = next(self.turn)
        rotated = self.backends[n % len(self.backends):] + self.backends[:n % len(self.backends)]
        return [p for p in rotated if p in self.healthy] + [p for p in rotated if p not in self.healthy]

    async def serve(self, client_reader, client_writer):
        upstream = None
        for port in self.order():
            try:
                upstream = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 2)
                break
            except Exception:
                continue
        if upstream is None:
            client_writer.close()
            return
        up_reader, up_writer = upstream

        async def pipe(reader, writer):
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except Exception:
                pass
            finally:
                try:
                    writer.close()
                except Exception:
                    pass

        await asyncio.gather(pipe(client_reader, up_writer), pipe(up_reader, client_writer))


async def main(specs):
    tasks = []
    for spec in specs:
        listen, rest = spec.split("=", 1)
        backends, _, path = rest.partition(":")
        pool = Pool([int(p) for p in backends.split(",")], path or "/internal/health")
        server = await asyncio.start_server(pool.serve, "127.0.0.1", int(listen), backlog=1024)
        tasks += [asyncio.create_task(server.serve_forever()), asyncio.create_task(pool.probe_forever())]
    print("ready", flush=True)
    await asyncio.gather(*tasks)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
