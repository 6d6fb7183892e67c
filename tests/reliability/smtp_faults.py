"""A small SMTP server on 127.0.0.1 that injects faults, for the delivery reliability tests.

It speaks enough SMTP for smtplib (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) on its own
asyncio loop in a thread, records every message it accepts (`accepted`: one (recipient, bytes) per
RCPT of an accepted DATA) and decides each step with `decide(step, info) -> reply | None`:

  step    "greet" (new connection), "MAIL", "RCPT" (info["rcpt"]), "DATA" (the final "." arrived)
  reply   None: the normal answer; "452 4.2.2 mailbox full" or any "CODE text": that answer;
          "DROP": close the connection at once; "STALL": never answer (the client times out);
          "SLOW n": answer normally after n seconds.

`Flaky(seed, rates)` is a decide() that injects 421/452/timeouts/drops at random (the soak test);
`FaultServer.tarpit()` accepts connections and never greets.
"""
from __future__ import annotations

import asyncio
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

Decide = Callable[[str, dict], "str | None"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Flaky:
    """Random faults at each step, from a seeded generator: (421 at greeting, 452 at RCPT, a stall
    at DATA, a drop at DATA, a 451 at MAIL). `rates` are probabilities per step."""

    seed: int = 1
    greet_421: float = 0.1
    mail_451: float = 0.05
    rcpt_452: float = 0.15
    data_stall: float = 0.05
    data_drop: float = 0.05
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.lock = threading.Lock()

    def __call__(self, step: str, info: dict) -> str | None:
        with self.lock:
            x = self.rng.random()
        if step == "greet" and x < self.greet_421:
            return "421 4.3.2 service not available, closing"
        if step == "MAIL" and x < self.mail_451:
            return "451 4.3.0 try again later"
        if step == "RCPT" and x < self.rcpt_452:
            return "452 4.2.2 mailbox full, try later"
        if step == "DATA_START" and x < self.data_stall:
            return "STALL"
        if step == "DATA_START" and x < self.data_stall + self.data_drop:
            return "DROP"
        return None


class FaultServer:
    """The server (see the module docstring). Use as a context manager or start()/stop()."""

    def __init__(self, decide: Decide | None = None, *, tarpit: bool = False):
        self.decide: Decide = decide or (lambda step, info: None)
        self.tarpit = tarpit
        self.port = free_port()
        self.accepted: list[tuple[str, bytes]] = []
        self.connections = 0
        self.rcpt_calls: list[str] = []
        self.lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @classmethod
    def tarpit_server(cls) -> "FaultServer":
        return cls(tarpit=True)

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> "FaultServer":
        self._thread.start()
        fut = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._serve, "127.0.0.1", self.port), self._loop)
        self._server = fut.result(10)
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            for w in list(self._writers):
                w.transport.abort()
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> "FaultServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what it got ----------------------------------------------------------------------------
    def received(self) -> dict[str, int]:
        """{recipient: number of messages accepted for them}."""
        out: dict[str, int] = {}
        with self.lock:
            for rcpt, _ in self.accepted:
                out[rcpt] = out.get(rcpt, 0) + 1
        return out

    def messages_for(self, rcpt: str) -> list[bytes]:
        with self.lock:
            return [data for r, data in self.accepted if r == rcpt]

    # -- one connection -------------------------------------------------------------------------
    async def _answer(self, writer: asyncio.StreamWriter, reply: str | None, normal: str) -> bool:
        """Send `reply` (or `normal`); False when the connection is to end (DROP/STALL)."""
        if reply == "DROP":
            writer.transport.abort()
            return False
        if reply == "STALL":
            await asyncio.sleep(3600)
            return False
        if reply and reply.startswith("SLOW "):
            await asyncio.sleep(float(reply.split()[1]))
            reply = None
        writer.write(((reply or normal) + "\r\n").encode())
        await writer.drain()
        if (reply or normal).startswith("421"):
            writer.close()
            return False
        return True

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self.lock:
            self.connections += 1
        self._writers.add(writer)
        try:
            if self.tarpit:
                await asyncio.sleep(3600)
                return
            if not await self._answer(writer, self.decide("greet", {}), "220 faults.example.org ESMTP"):
                return
            mail_from, rcpts = None, []
            while True:
                line = await reader.readline()
                if not line:
                    return
                cmd = line.decode("ascii", "replace").strip()
                verb = cmd.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    writer.write(b"250-faults.example.org\r\n250-8BITMIME\r\n250 SIZE 10000000\r\n"
                                 if verb == "EHLO" else b"250 faults.example.org\r\n")
                elif verb == "MAIL":
                    reply = self.decide("MAIL", {"from": cmd})
                    if not await self._answer(writer, reply, "250 2.1.0 OK"):
                        return
                    if reply is None or reply.startswith("SLOW"):
                        mail_from, rcpts = cmd, []
                    continue
                elif verb == "RCPT":
                    rcpt = cmd.split(":", 1)[1].strip().strip("<>") if ":" in cmd else ""
                    with self.lock:
                        self.rcpt_calls.append(rcpt)
                    reply = self.decide("RCPT", {"rcpt": rcpt})
                    if not await self._answer(writer, reply, "250 2.1.5 OK"):
                        return
                    if reply is None or reply.startswith("SLOW"):
                        rcpts.append(rcpt)
                    continue
                elif verb == "DATA":
                    if mail_from is None or not rcpts:
                        writer.write(b"503 5.5.1 need MAIL and RCPT\r\n")
                    else:
                        reply = self.decide("DATA_START", {"rcpts": list(rcpts)})
                        if reply in ("DROP", "STALL"):
                            await self._answer(writer, reply, "")
                            return
                        writer.write(b"354 go ahead\r\n")
                        await writer.drain()
                        body = bytearray()
                        while True:
                            chunk = await reader.readline()
                            if not chunk:
                                return
                            if chunk == b".\r\n":
                                break
                            body += chunk[1:] if chunk.startswith(b"..") else chunk
                        reply = self.decide("DATA", {"rcpts": list(rcpts)})
                        if reply is None or reply.startswith("SLOW"):
                            if reply:
                                await asyncio.sleep(float(reply.split()[1]))
                            with self.lock:
                                self.accepted.extend((r, bytes(body)) for r in rcpts)
                            writer.write(b"250 2.0.0 OK queued\r\n")
                        elif not await self._answer(writer, reply, ""):
                            return
                        mail_from, rcpts = None, []
                elif verb == "RSET":
                    mail_from, rcpts = None, []
                    writer.write(b"250 2.0.0 OK\r\n")
                elif verb == "NOOP":
                    writer.write(b"250 2.0.0 OK\r\n")
                elif verb == "QUIT":
                    writer.write(b"221 2.0.0 bye\r\n")
                    await writer.drain()
                    return
                else:
                    writer.write(b"502 5.5.2 not implemented\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        except asyncio.CancelledError:
            return
        finally:
            self._writers.discard(writer)
            try:
                writer.close()
            except Exception:  # noqa: BLE001
                pass


def wait_for(pred, timeout: float, what: str, step: float = 0.2):
    """Poll `pred` until it returns something true; AssertionError naming `what` after `timeout` s."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
