"""A small scripted SMTP server for the connection-reuse tests: it can close a session after a
number of messages (an idle timeout, a per-connection limit), answer 421 to MAIL on a session that
already carried a message, and refuse sessions beyond a number open at once."""

from __future__ import annotations

import socket
import threading
import time

from tests.smtp_sink import free_port


class ScriptedSmtp:
    """SMTP on 127.0.0.1 with scripted faults; counts sessions and records what it accepted."""

    def __init__(
        self,
        *,
        close_after: int | None = None,
        mail_421_on_reuse: bool = False,
        drop_at_mail: bool = False,
        max_sessions: int | None = None,
        delay: float = 0.0,
    ) -> None:
        self.close_after = close_after
        self.mail_421_on_reuse = mail_421_on_reuse
        self.drop_at_mail = drop_at_mail
        self.max_sessions = max_sessions
        self.delay = delay
        self.port = free_port()
        self.sessions = 0  # sessions greeted with 220
        self.refused = 0  # sessions refused with a 421 greeting
        self.accepted: list[tuple[str, bytes]] = []  # (recipient, data)
        self._open = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", self.port))
        self._sock.listen(16)
        self._sock.settimeout(0.1)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self._sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _admit(self) -> bool:
        with self._lock:
            if self.max_sessions is not None and self._open >= self.max_sessions:
                self.refused += 1
                return False
            self._open += 1
            self.sessions += 1
            return True

    def _session(self, conn: socket.socket) -> None:
        if not self._admit():
            conn.sendall(b"421 4.7.0 Too many connections\r\n")
            conn.close()
            return
        try:
            self._dialogue(conn, conn.makefile("rb"))
        except OSError:
            pass
        finally:
            conn.close()
            with self._lock:
                self._open -= 1

    def _dialogue(self, conn: socket.socket, reader) -> None:
        conn.sendall(b"220 scripted ESMTP\r\n")
        carried, recipient = 0, ""
        for line in reader:
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250 scripted\r\n")
            elif verb == b"MAIL":
                if self.drop_at_mail:
                    return  # the session dies before the server accepted anything
                if carried and self.mail_421_on_reuse:
                    conn.sendall(b"421 4.4.2 Closing: too many messages\r\n")
                    return
                conn.sendall(b"250 OK\r\n")
            elif verb == b"RCPT":
                recipient = line.split(b"<", 1)[1].split(b">", 1)[0].decode()
                conn.sendall(b"250 OK\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go ahead\r\n")
                data = self._data(reader)
                time.sleep(self.delay)
                with self._lock:
                    self.accepted.append((recipient, data))
                carried += 1
                conn.sendall(f"250 2.0.0 Ok: queued as {len(self.accepted)}\r\n".encode())
                if self.close_after is not None and carried >= self.close_after:
                    return  # the server drops the idle session without a word
            elif verb in (b"RSET", b"NOOP"):
                conn.sendall(b"250 OK\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return

    @staticmethod
    def _data(reader) -> bytes:
        lines = []
        for line in reader:
            if line == b".\r\n":
                break
            lines.append(line)
        return b"".join(lines)

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()
