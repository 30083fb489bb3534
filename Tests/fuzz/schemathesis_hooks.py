"""Schemathesis hooks for rest_fuzz.py (loaded through SCHEMATHESIS_HOOKS).

- Keeps the run meaningful: no case may touch `/api/users/{id}` with the id of an account the
  run signs in with (FUZZ_PROTECTED_IDS), so the admin is never deleted, demoted or given a new
  password mid-run (which would revoke the token every later request carries).
- `route_is_served`: a documented operation answering the unknown-path JSON 404 fails.
- Counts the requests sent (FUZZ_COUNT_FILE gets the number when the run ends)."""
import atexit, os

import schemathesis

IDS = [i for i in os.environ.get("FUZZ_IDS", "").split(",") if i]
PROTECTED = set(filter(None, os.environ.get("FUZZ_PROTECTED_IDS", "").split(",")))
COUNT_FILE = os.environ.get("FUZZ_COUNT_FILE")
SENT = [0]


@schemathesis.hook
def filter_case(context, case):
    if case.operation.path.startswith("/api/users/{") and case.path_parameters:
        return str(case.path_parameters.get("id")) not in PROTECTED
    return True


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    """Half the time a path id names a real resource (FUZZ_IDS), so the handlers behind the
    404s run too; the choice is drawn from the generated value, so a case replays the same."""
    if not IDS or not path_parameters:
        return path_parameters
    for name, value in list(path_parameters.items()):
        if name in ("id", "roomId", "memberId", "gatewayId") and hash(str(value)) % 2 == 0:
            choice = IDS[hash(str(value)) // 2 % len(IDS)]
            if not (case_path(context).startswith("/api/users/{") and choice in PROTECTED):
                path_parameters[name] = choice
    return path_parameters


def case_path(context):
    operation = getattr(context, "operation", None)
    return getattr(operation, "path", "") or ""


@schemathesis.hook
def after_call(context, case, response):
    SENT[0] += 1


@schemathesis.check
def route_is_served(ctx, response, case):
    """A documented operation is routed: never the JSON 404 of an unknown path."""
    if response.status_code == 404 and case.method.upper() == case.operation.method.upper():
        try:
            body = response.json()
        except Exception:
            body = None
        if isinstance(body, dict) and body.get("error") == "Not found":
            raise AssertionError(f"{case.method} {case.operation.path} answered the unknown-route 404: it is documented but not served")


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """The one 5xx the spec keeps on purpose (http-api §10.2, §14.4 "Quirk"): a second router
    or service agent of the same name by the same creator answers 500 (documented so)."""
    try:
        error = response.json().get("error", "")
    except Exception:
        error = ""
    duplicate = response.status_code == 500 and error.endswith("already exists for this user")
    return not (duplicate and case.operation.path.startswith(("/api/routers", "/api/service-agents")))


def _write_count():
    if COUNT_FILE:
        with open(COUNT_FILE, "w") as f:
            f.write(str(SENT[0]))


atexit.register(_write_count)
