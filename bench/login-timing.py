#!/usr/bin/env python3
"""Benchmark (not a test): how long a refused login takes for each reason it is refused
(a wrong password, an unknown username, an account without a password) beside a good
login, on the single-process hub. Every refusal should cost one argon2 run, so that the
answer's time does not tell which usernames exist: the ratios to the wrong-password time
should be close to 1. AuthSessionTests checks that the answers are the same; this measures
their times, many samples each, interleaved so that load on the machine hits all alike.

    python3 bench/login-timing.py [--samples 20]

Needs the hub built (`swift build` or `swift build -c release`)."""
import argparse, json, os, statistics, subprocess, sys, time, urllib.error, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # hubkit.py sits here; also under python3 -P
import hubkit
from hubkit import ADMIN_PASSWORD, USER_PASSWORD, http


def login_time(base, username, password):
    """Seconds until the login answer, and its status."""
    request = urllib.request.Request(base + "/api/auth/login", method="POST",
                                     data=json.dumps({"username": username, "password": password}).encode(),
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return time.perf_counter() - started, status


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    with hubkit.services() as (pg, redis):
        with hubkit.running("single", pg, redis, "bench_login") as topology:
            admin = topology.login("admin", ADMIN_PASSWORD)["accessToken"]
            for name in ("timed", "nopass"):
                http("POST", topology.base + "/api/users", {"username": name, "password": USER_PASSWORD}, admin)
            database = topology.env["DATABASE_URL"]
            subprocess.check_call(["psql", database, "-qc", "UPDATE users SET password_hash = NULL WHERE username = 'nopass'"])
            cases = {
                "good password": ("timed", USER_PASSWORD, 200),
                "wrong password": ("timed", "Wrong-pass-123", 401),
                "unknown username": ("nobody-here", "Wrong-pass-123", 401),
                "no password set": ("nopass", USER_PASSWORD, 401),
            }
            times = {case: [] for case in cases}
            for _ in range(args.samples):
                for case, (username, password, expected) in cases.items():
                    took, status = login_time(topology.base, username, password)
                    if status != expected:
                        sys.exit(f"{case}: status {status}, expected {expected}")
                    times[case].append(took)
                # Five wrong passwords lock an account: start each round from zero failures.
                subprocess.check_call(["psql", database, "-qc",
                                       "UPDATE users SET failed_login_attempts = 0, locked_until = NULL WHERE username = 'timed'"])
            reference = statistics.median(times["wrong password"])
            print(f"{args.samples} samples each, median (min-max), ratio of medians to a wrong password:")
            for case, values in times.items():
                median = statistics.median(values)
                print(f"  {case:17} {median * 1000:7.1f} ms ({min(values) * 1000:.1f}-{max(values) * 1000:.1f})  {median / reference:.2f}x")


if __name__ == "__main__":
    main()
