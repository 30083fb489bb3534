"""REST fuzzing with schemathesis (4.x CLI) from the document the hub serves
(/api/docs/openapi.json): once as a plain user, once as the admin, checking
not_a_server_error, response_schema_conformance, status_code_conformance and route_is_served
(schemathesis_hooks.py). Returns the number of requests each run sent."""
import os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,route_is_served"

# Never sent with the admin's token: its own password change would revoke that token and end
# the run's meaning. (The plain user's run covers the operation; the hook guards /api/users/{id}.)
ADMIN_EXCLUDED = ["--exclude-path", "/api/users/me/password"]


def schemathesis_run(base, token, label, protected_ids, pool, long, seed, report_dir):
    count_file = tempfile.mktemp(prefix=f"fuzz-count-{label}-")
    env = dict(os.environ, SCHEMATHESIS_HOOKS="schemathesis_hooks", FUZZ_PROTECTED_IDS=",".join(protected_ids), FUZZ_IDS=",".join(pool),
               FUZZ_COUNT_FILE=count_file, PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))
    argv = [sys.executable, "-m", "schemathesis.cli", "--no-color", "run", f"{base}/api/docs/openapi.json",
            "-H", f"Authorization: Bearer {token}", "--checks", CHECKS, "--workers", "2",
            "--max-examples", os.environ.get("FUZZ_EXAMPLES", "100" if long else "6"), "--seed", str(seed), "--request-timeout", "20",
            "--phases", os.environ.get("FUZZ_PHASES", "examples,coverage,fuzzing,stateful" if long else "examples,coverage,fuzzing"),
            "--suppress-health-check", "all", "--generation-database", "none",
            "--report", "junit", "--report-junit-path", os.path.join(report_dir, f"{label}.xml")]
    if label.endswith("admin"):
        argv += ADMIN_EXCLUDED
    shown = ["Authorization: Bearer …" if a.startswith("Authorization") else a for a in argv[4:]]
    print(f"--- schemathesis {label}: {' '.join(shown)}", flush=True)
    result = subprocess.run(argv, env=env, cwd=report_dir)
    try:
        sent = int(open(count_file).read())
        os.unlink(count_file)
    except (OSError, ValueError):
        sent = -1
    return result.returncode == 0, sent


def run(base, ids, pool, topology_label, long=False, seed=20261205, report_dir=None):
    """Both identities against one hub; (all passed, {label: requests})."""
    report_dir = report_dir or tempfile.mkdtemp(prefix="schemathesis-")
    protected = [ids["admin"]["id"], ids["user"]["id"]]
    passed, counts = True, {}
    for who in ("user", "admin"):
        label = f"{topology_label}-{who}"
        ok, sent = schemathesis_run(base, ids[who]["token"], label, protected, pool, long, seed, report_dir)
        counts[label] = sent
        passed &= ok
        print(f"schemathesis {label}: {'passed' if ok else 'FAILED'}, {sent} requests", flush=True)
    return passed, counts
