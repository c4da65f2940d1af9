"""The outgoing HTTP client against real receivers on loopback: it connects only to the addresses the SSRF guard
vetted (a rebinding name reaches nothing inside), keeps the host name for Host, SNI and the certificate check, ends
every request at one deadline and reads a bounded answer.

DNS cannot run here, so a rebinding resolver is simulated by replacing socket.getaddrinfo: "hooks.example.id"
answers 127.0.0.1 (allow-listed: the stand-in for a public address) to its first question and 127.0.0.2 (not
allow-listed: the stand-in for an address inside) to every later one. Both addresses have a real receiver."""

import datetime as dt
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kotalive.core.errors import ValidationFailed
from kotalive.core.httpclient import EXCERPT, READ_LIMIT, Client
from kotalive.core.ssrf import destination_vet
from kotalive.events.tests.receiver import Receiver

NAME = "hooks.example.id"


@pytest.fixture
def outside() -> Iterator[Receiver]:
    running = Receiver(host="127.0.0.1").start()
    yield running
    running.stop()


@pytest.fixture
def inside(outside: Receiver) -> Iterator[Receiver]:
    """A service inside the network, on the same port as `outside` so that one URL reaches either."""
    running = Receiver(host="127.0.0.2", port=outside.port).start()
    yield running
    running.stop()


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[str]:
    """Every question the resolver was asked about NAME, in order."""
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1/32"]
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != NAME:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        address = "127.0.0.1" if len(asked) == 1 else "127.0.0.2"
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_the_request_goes_to_the_vetted_address_and_the_name_is_not_resolved_again(
    rebinding: list[str], outside: Receiver, inside: Receiver
) -> None:
    url = f"http://{NAME}:{outside.port}/hook"

    destination = destination_vet(url)
    answer = Client().post(destination, b"{}", {"content-type": "application/json"}, timeout=5)

    assert answer.status == 204
    assert rebinding == [NAME]  # one resolution: the check's
    assert [r.headers["host"] for r in outside.accepted()] == [f"{NAME}:{outside.port}"]
    assert inside.requests == []
    with pytest.raises(ValidationFailed):  # the next check sees where the name points now
        destination_vet(url)
    assert inside.requests == []


def test_a_kept_alive_connection_is_not_reused_once_the_name_was_vetted_elsewhere(
    rebinding: list[str], outside: Receiver, inside: Receiver, settings: Any
) -> None:
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.0/8"]  # both allowed: the operator moved the receiver
    url = f"http://{NAME}:{outside.port}/hook"
    client = Client()
    client.post(destination_vet(url), b"1", {}, timeout=5)

    client.post(destination_vet(url), b"2", {}, timeout=5)

    assert [r.body for r in outside.accepted()] == [b"1"]
    assert [r.body for r in inside.accepted()] == [b"2"]


def test_a_kept_alive_connection_serves_the_next_request_to_the_same_address(outside: Receiver, settings: Any) -> None:
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.0/8"]
    client, destination = Client(), destination_vet(outside.url)
    for body in (b"1", b"2", b"3"):
        assert client.post(destination, body, {}, timeout=5).status == 204
    assert len(outside.connections) == 1


def test_a_trickled_answer_ends_at_the_deadline(outside: Receiver, settings: Any) -> None:
    """100 bytes at one each 0.1 s would take 10 s, each read well within a per-read timeout of 1 s."""
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.0/8"]
    outside.mode, outside.trickle_seconds, outside.trickle_bytes = "trickle", 0.1, 100
    destination = destination_vet(outside.url)
    started = time.monotonic()

    with pytest.raises(TimeoutError):
        Client().post(destination, b"{}", {}, timeout=1)

    assert 0.9 <= time.monotonic() - started < 1.8
    assert outside.streamed < 20


@pytest.mark.parametrize("framing", ["chunked", "length", "close"])
def test_an_endless_answer_is_read_only_up_to_the_bound(outside: Receiver, settings: Any, framing: str) -> None:
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.0/8"]
    outside.mode, outside.endless_framing = "endless", framing
    destination = destination_vet(outside.url)
    started = time.monotonic()

    answer = Client().post(destination, b"{}", {}, timeout=10)

    assert answer.status == 200
    assert answer.body == b"x" * EXCERPT
    assert time.monotonic() - started < 5
    assert outside.hung_up.wait(5)  # the connection was closed, not drained


def test_a_caller_may_keep_a_larger_answer_but_still_a_bounded_one(outside: Receiver, settings: Any) -> None:
    settings.KOTALIVE_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.0/8"]
    outside.mode = "endless"
    answer = Client().post(destination_vet(outside.url), b"{}", {}, timeout=10, max_body=4 * READ_LIMIT)
    assert len(answer.body) == 4 * READ_LIMIT
    assert outside.hung_up.wait(5)


# --- TLS: SNI and the certificate are checked for the name, the socket goes to the vetted address ----------------


def _certificates(tmp_path: Path, name: str) -> tuple[bytes, Path, Path]:
    """A CA (its PEM) and a certificate for `name` it signed (files of the certificate and its key)."""
    now = dt.datetime.now(tz=dt.UTC)

    def issued(subject: str, key: Any, issuer: str, issuer_key: Any, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            )
        else:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = issued("KotaLIVE test CA", ca_key, "KotaLIVE test CA", ca_key, ca=True)
    certificate = issued(name, key, "KotaLIVE test CA", ca_key, ca=False)
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca.public_bytes(serialization.Encoding.PEM), cert_file, key_file


def _tls_receiver(
    tmp_path: Path, certified_name: str, names_asked: list[str | None]
) -> tuple[Receiver, ssl.SSLContext]:
    ca, cert_file, key_file = _certificates(tmp_path, certified_name)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    server.sni_callback = lambda _sock, name, _ctx: names_asked.append(name)  # type: ignore[assignment,func-returns-value]
    return Receiver(tls=server).start(), ssl.create_default_context(cadata=ca.decode())


def test_tls_names_the_host_although_the_socket_goes_to_the_vetted_address(
    tmp_path: Path, rebinding: list[str]
) -> None:
    names_asked: list[str | None] = []
    receiver, trust = _tls_receiver(tmp_path, NAME, names_asked)
    try:
        destination = destination_vet(f"https://{NAME}:{receiver.port}/hook")
        answer = Client(tls=trust).post(destination, b"{}", {}, timeout=5)
    finally:
        receiver.stop()
    assert answer.status == 204
    assert names_asked == [NAME]
    assert rebinding == [NAME]
    assert receiver.accepted()[0].headers["host"] == f"{NAME}:{receiver.port}"


def test_tls_refuses_a_certificate_for_another_name(tmp_path: Path, rebinding: list[str]) -> None:
    receiver, trust = _tls_receiver(tmp_path, "other.example.id", [])
    try:
        destination = destination_vet(f"https://{NAME}:{receiver.port}/hook")
        with pytest.raises(ssl.SSLCertVerificationError):
            Client(tls=trust).post(destination, b"{}", {}, timeout=5)
    finally:
        receiver.stop()
    assert receiver.requests == []
