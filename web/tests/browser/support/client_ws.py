"""A one-shot /ws/client session from Python: seeds messages the way a browser sends them."""
import asyncio, json

import websockets


async def _send(ws_url, token, room_id, contents, attachment_ids):
    async with websockets.connect(ws_url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "client:auth", "token": token, "protocolVersion": "1"}))
        reply = json.loads(await asyncio.wait_for(ws.recv(), 15))
        assert reply.get("ok"), reply
        await ws.send(json.dumps({"type": "client:join_room", "roomId": room_id}))
        stored = []
        for content in contents:
            frame = {"type": "client:send_message", "roomId": room_id, "content": content, "mentions": []}
            if attachment_ids:
                frame["attachmentIds"] = list(attachment_ids)
            await ws.send(json.dumps(frame))
            while True:  # the echo to our own joined socket says it is stored
                msg = json.loads(await asyncio.wait_for(ws.recv(), 15))
                if msg.get("type") == "server:new_message" and msg["message"]["roomId"] == room_id:
                    stored.append(msg["message"]); break
                if msg.get("type") == "server:error":
                    raise RuntimeError(msg)
        return stored


def send_messages(base_url, token, room_id, contents, attachment_ids=()):
    ws_url = base_url.replace("http://", "ws://") + "/ws/client"
    return asyncio.run(_send(ws_url, token, room_id, list(contents), attachment_ids))
