#!/usr/bin/env python3
"""Writes cli/agentim.order, the linker's symbol ordering file for the release `agentim`: the
functions an idle, connected gateway calls, in first-call order, so the linker puts them next to
each other. An idle gateway calls ~5,000 functions (1.3 MB of code); scattered over the binary
they kept 18 MB of code pages resident, because the kernel maps file pages 64 KB at a time.

Needs gcc, readelf, a throwaway PostgreSQL (PGURL) and a release build in --bin (agentim and
agentim-server). Re-run it after large changes to the CLI or its packages, then rebuild:
    PGURL=... python3 bench/cli-order-file.py --bin .build/release
Names that no longer exist are ignored by the linker; missing ones only cost memory, never behaviour.
"""
import argparse, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def text_range(exe):
    out = subprocess.run(["readelf", "-SW", exe], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.replace("[ ", "[").split()
        if len(parts) > 5 and parts[1] == ".text":
            start = int(parts[3], 16)
            return start, start + int(parts[5], 16)
    raise SystemExit("no .text in " + exe)

def functions(exe):
    """(offset, name) of every defined function in .text, and how often each name is defined."""
    low, high = text_range(exe)
    out = subprocess.run(["readelf", "-sW", exe], capture_output=True, text=True, check=True).stdout
    found, count = [], {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[3] == "FUNC" and parts[6] != "UND":
            size = int(parts[2], 16) if parts[2].startswith("0x") else int(parts[2])
            offset = int(parts[1], 16)
            count[parts[7]] = count.get(parts[7], 0) + 1
            if size > 0 and low <= offset < high: found.append((offset, parts[7]))
    return found, count

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build/release"))
    ap.add_argument("--out", default=os.path.join(ROOT, "cli/agentim.order"))
    args = ap.parse_args()
    exe = os.path.realpath(os.path.join(args.bin, "agentim"))
    work = tempfile.mkdtemp(prefix="agentim-order-")
    tracer = os.path.join(work, "trace.so")
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", tracer, os.path.join(ROOT, "bench/cli-idle-trace.c"), "-lpthread"], check=True)
    funcs, count = functions(exe)
    names = {}
    for offset, name in funcs: names.setdefault(offset, []).append(name)
    with open(os.path.join(work, "offsets"), "w") as f:
        f.write("".join("%x\n" % o for o in sorted(names)))
    hits = os.path.join(work, "hits")
    env = dict(os.environ, LD_PRELOAD=tracer, BPT_SYMS=os.path.join(work, "offsets"), BPT_EXE=exe, BPT_OUT=hits, BPT_AFTER="8")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench/cli-relay.py"), "--bin", args.bin, "--idle-only", "--hold", "10"], env=env, check=True)
    # A name defined more than once (file-local functions of the same name, such as the two
    # BoringSSL copies' statics) would pull every section defining it forward, called or not.
    order, seen = [], set()
    for line in open(hits):
        for name in names[int(line, 16)]:
            if name not in seen and count[name] == 1: seen.add(name); order.append(name)
    with open(args.out, "w") as f: f.write("\n".join(order) + "\n")
    print("%d functions called by an idle gateway -> %s" % (len(order), args.out))

main()
