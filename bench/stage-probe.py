#!/usr/bin/env python3
"""Diagnosis (not a test, not a benchmark): where a chat send's time goes inside the hub, stage by
stage, joined with what fanout.py's generator saw (send and receipt times).

    git apply bench/stage-probe.patch && swift build -c release     # a probed build; never commit it
    mkdir -p /tmp/probed && cp .build/release/agentim-server /tmp/probed/ && git apply -R bench/stage-probe.patch
    rm -f /tmp/probe.log
    FANOUT_DUMP=/tmp/dump/s python3 bench/fanout.py --shape small --rounds 2 --no-ejabberd --hub-bin /tmp/probed=probe
    python3 bench/stage-probe.py /tmp/probe.log /tmp/dump/s-probe-

The probed build writes one line per stage to /tmp/probe.log on CLOCK_MONOTONIC, the clock of
Python's time.monotonic, so hub and generator times compare directly (single-process hub only:
one machine, one clock). Stages of one message:
  sent  the generator wrote the frame          A  the edge appends the command to the bus
  B     the rooms worker's lane takes it       C  its commit's statement is sent to PostgreSQL
  D     the statement answered (committed)     E  the new message is announced on the bus
  F     the edge's follower hands it to the sockets' registry
  G     the registry queued it on every socket  recv  the generator read it (first and last receiver)
Printed per round: p50/p90/p99 of each step, the slowest messages with their steps, and the
commits whose statement took longer than 3 ms."""
import collections, glob, sys

STEPS = [("sent", "A"), ("A", "B"), ("B", "C"), ("C", "D"), ("D", "E"), ("E", "F"), ("F", "G"), ("G", "first"), ("first", "last")]


def read_probe(path):
    marks, by_content = collections.defaultdict(dict), {}
    for line in open(path):
        parts = line.split()
        if len(parts) < 4 or parts[0] != "PROBE":
            continue
        stage, ident, at = parts[1], parts[2], float(parts[-1])
        if stage == "A":
            by_content[parts[3]] = ident  # the generator's content has no spaces
        marks[ident].setdefault(stage, at)
    return marks, by_content


def rounds(prefix, marks, by_content):
    for path in sorted(glob.glob(prefix + "*.csv")):
        round_id = path.rsplit("-", 1)[-1][:-4]
        receipts = collections.defaultdict(list)
        for line in open(path):
            room, sender, n, sent, received = line.strip().split(",")
            receipts[(room, sender, n, sent)].append(float(received))
        rows = []
        for (room, sender, n, sent), got in receipts.items():
            m = dict(marks.get(by_content.get(f"{round_id}|{room}|{sender}|{n}|{sent}"), {}))
            if not all(stage in m for stage in "ABCDEFG"):
                continue  # not a clear commit (the three-statement way has no C/D marks), or unprobed
            m.update(sent=float(sent), first=min(got), last=max(got))
            rows.append(m)
        yield path, rows


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    marks, by_content = read_probe(sys.argv[1])
    for path, rows in rounds(sys.argv[2], marks, by_content):
        print(f"{path}: {len(rows)} messages with every stage")
        if not rows:
            continue
        names = [f"{a}>{b}" for a, b in STEPS] + ["total"]
        def steps(m):
            return [(m[b] - m[a]) * 1000 for a, b in STEPS] + [(m["last"] - m["sent"]) * 1000]
        table = [steps(m) for m in rows]
        for p in (0.5, 0.9, 0.99):
            cells = [sorted(column)[min(len(column) - 1, int(p * len(column)))] for column in zip(*table)]
            print(f"  p{int(p * 100):02d}  " + "  ".join(f"{n} {v:.2f}" for n, v in zip(names, cells)))
        start = min(m["sent"] for m in rows)
        for m in sorted(rows, key=lambda m: m["sent"] - m["last"])[:6]:
            print(f"  slow, sent at {m['sent'] - start:6.2f} s: " + "  ".join(f"{n} {v:.2f}" for n, v in zip(names, steps(m))))
        commits = sorted({(m["C"], m["D"]) for m in rows})
        slow = [f"{c - start:.2f} s: {(d - c) * 1000:.1f} ms" for c, d in commits if d - c > 0.003]
        print(f"  commits over 3 ms ({len(slow)} of {len(commits)}): " + ", ".join(slow[:12]))


if __name__ == "__main__":
    main()
