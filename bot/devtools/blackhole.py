"""A TCP proxy on loopback that can go silent: a network that stops answering, for tests and
bench/blackhole.py. While silent it accepts connections and reads nothing, forwards nothing and
answers nothing, so whatever a client sends waits in buffers for ever."""

from __future__ import annotations

import selectors
import socket
import threading
from types import TracebackType


class Blackhole:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.silent = threading.Event()
        self.stopping = threading.Event()
        self._sockets: list[socket.socket] = [self.listener]
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> Blackhole:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stopping.set()
        for sock in list(self._sockets):
            sock.close()

    def silence(self) -> None:
        self.silent.set()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self._sockets.append(client)
            if self.silent.is_set():
                continue  # accepted, then nothing: the handshake never answers
            server = socket.create_connection(self.upstream)
            self._sockets.append(server)
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, server)
        selector.register(server, selectors.EVENT_READ, client)
        try:
            while not self.stopping.is_set() and not self.silent.is_set():
                for key, _ in selector.select(timeout=0.05):
                    if self.silent.is_set():
                        break
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
            self.stopping.wait()  # silent: the connection stays open, and nothing moves
        except OSError:
            return
        finally:
            selector.close()
