"""The distributed hub: auth, rooms, router, uploads and two edges sharing Redis; one browser on each
edge, and each sees the other's message."""
import secrets

import pytest

from conftest import PASSWORD
from support.api import Api
from support.hub import ADMIN_PASSWORD, ADMIN_USER, Redis, Topology


@pytest.fixture
def topology(postgres, workspace):
    redis = Redis(workspace)
    topo = None
    try:
        topo = Topology(postgres, redis, workspace)
        yield topo
    finally:
        if topo:
            topo.stop()
        redis.stop()


def test_two_edges_one_browser_each(topology, browsers):
    edge1, edge2 = topology.edges
    admin, _ = Api.login(edge1, ADMIN_USER, ADMIN_PASSWORD)
    names = [f"edgeuser{i}{secrets.token_hex(2)}" for i in (1, 2)]
    users = [admin.create_user(n, PASSWORD) for n in names]
    owner, _ = Api.login(edge2, names[0], PASSWORD)
    room = owner.create_room("Across edges", [users[1]["id"]])
    a, b = browsers(), browsers()
    a.sign_in(edge1, names[0], PASSWORD)
    a.open_room(edge1, room["id"])
    b.sign_in(edge2, names[1], PASSWORD)
    b.open_room(edge2, room["id"])
    one = f"from edge one {secrets.token_hex(3)}"
    a.send_message(one)
    b.wait_for_text_in_log(one)
    two = f"from edge two {secrets.token_hex(3)}"
    b.send_message(two)
    a.wait_for_text_in_log(two)
    for browser in (a, b):
        browser.wait_until(lambda: browser.log_text().count(one) == 1 and browser.log_text().count(two) == 1,
                           what="both messages once on each edge")
