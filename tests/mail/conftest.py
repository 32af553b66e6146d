"""Fixtures shared by the mail tests."""

from __future__ import annotations

import pytest

from tests.mail.scripted_smtp import ScriptedSmtp


@pytest.fixture
def scripted():
    """``start(**options)`` → a running ``ScriptedSmtp``; all are stopped after the test."""
    servers = []

    def start(**options):
        server = ScriptedSmtp(**options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
