"""A console client over a real websocket (the `websockets` library), for the live tests and
bench/console.py: what a browser's terminal sends and receives, with the time from Enter
(the `run` message) to the first output and to `done`."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

import websockets


@dataclass
class Result:
    line: str
    done: dict
    printed: str
    first_output_ms: float | None
    done_ms: float


class ConsoleClient:
    def __init__(self, base: str, slug: str):
        self.url = base.replace("http://", "ws://") + f"/ws/clusters/{slug}/console/"
        self.origin = base
        self.ids = 0

    async def __aenter__(self) -> ConsoleClient:
        self.ws = await websockets.connect(self.url, origin=self.origin, max_size=None)
        self.hello = json.loads(await self.ws.recv())
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def send(self, message: dict) -> None:
        await self.ws.send(json.dumps(message))

    async def start(self, line: str, buffer: str | None = None) -> int:
        self.ids += 1
        await self.send({"type": "run", "id": self.ids, "line": line, "buffer": buffer})
        return self.ids

    async def finish(self, request_id: int, started: float, line: str, timeout: float = 60) -> Result:
        printed, first = "", None
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if message["type"] == "output":
                first = first if first is not None else (time.perf_counter() - started) * 1000
                printed += message["data"]
            elif message["type"] == "done" and message["id"] == request_id:
                return Result(line, message, printed, first, (time.perf_counter() - started) * 1000)

    async def run(self, line: str, buffer: str | None = None, timeout: float = 60) -> Result:
        started = time.perf_counter()
        request_id = await self.start(line, buffer)
        return await self.finish(request_id, started, line, timeout)
