"""The MIME cache: a message built from a cached content is the reference build (Django's
EmailMultiAlternatives) byte for byte, except its own Date, Message-ID and the MIME boundary."""

import re
from email import message_from_bytes, policy
from email.policy import compat32

import pytest
from django.core.mail import BadHeaderError
from hypothesis import given
from hypothesis import strategies as st

from spysystem.mail import mime
from spysystem.mail.mime import MimeCache, build_email
from spysystem.mail.models import Message
from spysystem.mail.services import MessageDraft, message_enqueue_many, smtp_settings_save

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + bytes(range(256)) * 4
SUBJECT = "Cobrança: título 123/1 vence às 10h — R$ 1.234,56 (ação necessária já)"
TEXT = "Olá, José!\n\nSegue o boleto do título 123/1.\n\n-- \nFinanceiro\n"
HTML = "<p>Olá, <b>José</b>!</p><p>Segue o boleto do título 123/1 — ação.</p>"
NAMES = ["José da Silva", "", "Ana", 'Maria, a Controladora "Chefe"', "Ç" * 60, "x" * 90]


@pytest.fixture
def smtp(db):
    return smtp_settings_save(
        level="general",
        host="127.0.0.1",
        port=2525,
        security="none",
        from_email="spy@empresa.com.br",
        from_name="Financeiro Ação",
        reply_to="responda@empresa.com.br",
    )


def queue(names: list[str], *, attachments=(("boleto.pdf", "application/pdf", PDF),), **fields):
    drafts = [
        MessageDraft(
            routine="cobranca",
            dedupe_key=f"mime:{i}",
            to_email=f"dest{i}@example.com",
            to_name=name,
            subject=fields.get("subject", SUBJECT),
            body_text=TEXT,
            body_html=HTML,
            attachments=attachments,
            reply_to=fields.get("reply_to", ""),
        )
        for i, name in enumerate(names)
    ]
    message_enqueue_many(drafts)
    return list(Message.objects.filter(dedupe_key__startswith="mime:").order_by("id"))


def normalized(data: bytes) -> bytes:
    """Without what differs between two builds of one message: Date, Message-ID, boundary."""
    for boundary in set(re.findall(rb'boundary="([^"]+)"', data)):
        data = data.replace(boundary, b"BOUNDARY")
    data = re.sub(rb"(?m)^Date: [^\r\n]*\r\n", b"Date: X\r\n", data)
    return re.sub(rb"(?m)^Message-ID: [^\r\n]*\r\n", b"Message-ID: X\r\n", data)


def reference(message, settings) -> bytes:
    return build_email(message, settings).as_bytes(linesep="\r\n")


def test_cached_messages_equal_the_reference_build_except_date_id_and_boundary(smtp):
    messages = queue(NAMES)
    cache = MimeCache()
    built = [cache.render(message, smtp) for message in messages]
    assert (cache.misses, cache.hits) == (1, len(NAMES) - 1)
    for message, data in zip(messages, built, strict=True):
        assert normalized(data) == normalized(reference(message, smtp))


def test_cached_messages_parse_back_with_their_own_recipient_and_id(smtp):
    messages = queue(NAMES)
    cache = MimeCache()
    ids = set()
    for message in messages:
        parsed = message_from_bytes(cache.render(message, smtp), policy=policy.default)
        assert parsed["To"].addresses[0].addr_spec == message.to_email
        assert parsed["To"].addresses[0].display_name == message.to_name
        # strip(): the reference build (Django on compat32) folds a long encoded Subject right
        # after the colon, which Python's parser reads back with a leading blank.
        assert parsed["Subject"].strip() == SUBJECT
        assert parsed["From"] == "Financeiro Ação <spy@empresa.com.br>"
        assert parsed["Reply-To"] == "responda@empresa.com.br"
        assert f"spy-{message.pk}@empresa.com.br" in parsed["Message-ID"]
        ids.add(parsed["Message-ID"])
        assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == TEXT
        assert parsed.get_body(("html",)).get_content().strip() == HTML
        (attachment,) = parsed.iter_attachments()
        assert attachment.get_filename() == "boleto.pdf"
        assert attachment.get_content() == PDF
    assert len(ids) == len(messages)


def test_a_different_content_is_a_different_entry(smtp):
    first = queue(["Ana"])[0]
    cache = MimeCache()
    cache.render(first, smtp)
    first.subject = "Outro assunto"
    other = message_from_bytes(cache.render(first, smtp), policy=policy.default)
    first.reply_to = "outro@empresa.com.br"
    third = message_from_bytes(cache.render(first, smtp), policy=policy.default)
    assert (cache.misses, cache.hits) == (3, 0)
    assert other["Subject"] == "Outro assunto"
    assert third["Reply-To"] == "outro@empresa.com.br"


def test_the_cache_keeps_the_most_recent_contents(smtp, monkeypatch):
    messages = queue(["Ana"], attachments=())
    cache = MimeCache(size=2)
    message = messages[0]
    for subject in ["a", "b", "a", "c", "a", "b"]:
        message.subject = subject
        cache.render(message, smtp)
    # a, b miss; a hit; c miss (b out); a hit; b miss again
    assert (cache.misses, cache.hits) == (4, 2)
    monkeypatch.setattr(mime, "CACHE_MAX_BYTES", 10)
    big = MimeCache()
    big.render(message, smtp)
    big.render(message, smtp)
    assert (big.misses, big.hits) == (2, 0)  # too large to keep


def test_header_injection_through_the_recipient_name_is_refused_on_both_paths(smtp):
    good, bad = queue(["Ana", "Ana\r\nBcc: espiao@example.com"], attachments=())
    with pytest.raises(BadHeaderError):
        build_email(bad, smtp)
    cache = MimeCache()
    with pytest.raises(BadHeaderError):
        cache.render(bad, smtp)  # a miss: the reference build refuses it
    cache.render(good, smtp)
    with pytest.raises(BadHeaderError):
        cache.render(bad, smtp)  # a hit: the per-recipient fields refuse it too


@given(
    name=st.sampled_from(["To", "Date", "Message-ID"]),
    value=st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=0, max_size=90
    ),
)
def test_the_direct_header_path_writes_what_the_reference_generator_writes(name, value):
    assert mime._fold(name, value) == compat32.clone(linesep="\r\n").fold_binary(name, value)
