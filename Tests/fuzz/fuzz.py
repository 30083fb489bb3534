#!/usr/bin/env python3
"""Runs the REST fuzz (schemathesis) and the WebSocket fuzz (hypothesis) against the single
process and the distributed topology on real PostgreSQL and Redis, and prints how many requests
and frames each run sent. Exit status 1 when anything failed.

  python3 Tests/fuzz/fuzz.py                 # bounded (CI): a few minutes for everything
  python3 Tests/fuzz/fuzz.py --long          # the long run (FUZZ_LONG=1 does the same)
  python3 Tests/fuzz/fuzz.py --mode single --only ws
"""
import argparse, json, os, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hubs, rest_fuzz, ws_fuzz  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--long", action="store_true", default=os.environ.get("FUZZ_LONG") == "1")
    parser.add_argument("--mode", choices=["single", "distributed", "both"], default="both")
    parser.add_argument("--only", choices=["rest", "ws", "both"], default="both")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "20261205")))
    args = parser.parse_args()
    passed, report = True, {}
    started = time.time()
    with hubs.datastores() as (pg, redis):
        for mode in hubs.hubkit.modes(args.mode):
            with hubs.running(mode, pg, redis) as topology:
                base = topology.base
                ids = hubs.identities(base)
                pool = hubs.fixtures(base, ids)
                if args.only in ("rest", "both"):
                    ok, counts = rest_fuzz.run(base, ids, pool, mode, long=args.long, seed=args.seed)
                    passed &= ok
                    report.update({k: {"requests": v} for k, v in counts.items()})
                    print(f"[{time.time() - started:.0f} s] REST fuzz of {mode} done", flush=True)
                    dead = topology.alive()
                    if dead or not hubs.healthy(base):
                        print(f"FAIL {mode}: after the REST fuzz: exited {dead}, health {hubs.healthy(base)}")
                        passed = False
                if args.only in ("ws", "both"):
                    ok, counts, observer = ws_fuzz.run(base, ids, mode, topology, long=args.long, seed=args.seed)
                    passed &= ok
                    report.update(counts)
                    report[f"{mode}-observer"] = observer
                    print(f"[{time.time() - started:.0f} s] WebSocket fuzz of {mode} done", flush=True)
                dead = topology.alive()
                if dead:
                    print(f"FAIL {mode}: hub processes exited: {dead}")
                    passed = False
                if not passed:
                    print(topology.crash_reports() or topology.logs()[-6000:])
    print("fuzz report:", json.dumps(report, indent=1))
    print(f"fuzz: {'passed' if passed else 'FAILED'} in {time.time() - started:.0f} s ({'long' if args.long else 'bounded'} run)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
