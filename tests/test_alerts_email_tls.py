"""Email digests over TLS (STARTTLS and implicit SSL) to a real aiosmtpd server on 127.0.0.1.

Every test makes its own throwaway certificate authority and server certificate, and the client
trusts that CA the way a user's machine would: through SSL_CERT_FILE, which
ssl.create_default_context() reads. Certificate verification is never turned off.
"""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from alerts_helpers import NOW, SmtpServer, schedules_from, seeded_archive
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from mediawatch.db import deliveries

from mediawatch import alerts

CONFIG = """
channels:
  mail:
    type: email
    host: 127.0.0.1
    port: {port}
    security: {security}
    username: mw
    password_env: MW_TEST_SMTP_PW
    from: "mediawatch <alerts@mediawatch.test>"
    to: [desk@example.org, analyst@example.org]
    timeout: 5
digests:
  - name: morning
    title: Morning coverage
    topics: [balochistan, cpec, bla]
    cron: "0 7 * * *"
    timezone: Asia/Karachi
    channels: [mail]
"""

USERS = {"mw": "s3cret"}


# ------------------------------------------------------------------ a throwaway PKI


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _validity(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    return builder.not_valid_before(now - timedelta(hours=1)).not_valid_after(
        now + timedelta(days=1)
    )


class Authority:
    """A certificate authority that exists only for one test."""

    def __init__(self, common_name: str):
        self.key = ec.generate_private_key(ec.SECP256R1())
        public = self.key.public_key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(_name(common_name))
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        )
        self.cert = _validity(builder).sign(self.key, hashes.SHA256())

    def write(self, path: Path) -> Path:
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path

    def server_context(self, folder: Path, names: tuple[str, ...]) -> ssl.SSLContext:
        """A server-side context presenting a certificate this CA issued for `names`."""
        key = ec.generate_private_key(ec.SECP256R1())
        alt_names = []
        for name in names:
            try:
                alt_names.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                alt_names.append(x509.DNSName(name))
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(names[0]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        )
        cert = _validity(builder).sign(self.key, hashes.SHA256())
        cert_path = folder / "server.pem"
        key_path = folder / "server.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        return context


@pytest.fixture
def pki(tmp_path, monkeypatch):
    """A test CA that the client trusts via SSL_CERT_FILE (and nothing else: SSL_CERT_DIR is an
    empty folder), plus the password the channel logs in with."""
    folder = tmp_path / "pki"
    folder.mkdir()
    (folder / "no-other-cas").mkdir()
    ca = Authority("mediawatch test CA")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.write(folder / "trusted-ca.pem")))
    monkeypatch.setenv("SSL_CERT_DIR", str(folder / "no-other-cas"))
    monkeypatch.setenv("MW_TEST_SMTP_PW", USERS["mw"])
    return ca, folder


# ------------------------------------------------------------------ a TLS-speaking SMTP server


class TlsSmtpServer(SmtpServer):
    """SmtpServer that also records, per message and per login, whether the connection was TLS.

    mode "starttls": plain port that requires STARTTLS before anything else, and AUTH only after.
    mode "ssl": TLS from the first byte (implicit TLS, as on port 465).
    mode "plain": no TLS offered at all.
    """

    def __init__(self, mode: str, context: ssl.SSLContext | None = None):
        super().__init__(users=dict(USERS))
        self.mode = mode
        self.context = context
        self.sessions: list[dict] = []  # one per accepted message
        self.logins: list[dict] = []  # one per AUTH attempt

    @staticmethod
    def _tls(server, session) -> dict:
        ssl_object = server.transport.get_extra_info("ssl_object")
        return {
            "tls": ssl_object is not None and ssl_object.version().startswith("TLSv1."),
            "starttls": session.ssl is not None,
            "authenticated": bool(session.authenticated),
        }

    async def handle_DATA(self, server, session, envelope):
        self.sessions.append(self._tls(server, session))
        return await super().handle_DATA(server, session, envelope)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append({**self._tls(server, session), "login": auth_data.login.decode()})
        return super()._authenticate(server, session, envelope, mechanism, auth_data)

    def start(self) -> TlsSmtpServer:
        kwargs = {"authenticator": self._authenticate, "auth_required": True}
        if self.mode == "starttls":
            kwargs.update(tls_context=self.context, require_starttls=True, auth_require_tls=True)
        elif self.mode == "ssl":
            # aiosmtpd's auth_require_tls only counts STARTTLS, not implicit TLS, so it must be
            # off here; the logins record proves the password still travelled inside TLS.
            kwargs.update(ssl_context=self.context, auth_require_tls=False)
        else:
            kwargs.update(auth_require_tls=False)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        return self


@pytest.fixture
def tls_server():
    servers: list[TlsSmtpServer] = []

    def start(mode: str, context: ssl.SSLContext | None = None) -> TlsSmtpServer:
        servers.append(TlsSmtpServer(mode, context).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def config(tmp_path, port, security):
    return schedules_from(CONFIG.format(port=port, security=security), tmp_path)


def assert_digest_arrived(server: TlsSmtpServer) -> None:
    assert len(server.messages) == 1
    sender, recipients, mail = server.messages[0]
    assert sender == "alerts@mediawatch.test"
    assert recipients == ["desk@example.org", "analyst@example.org"]
    assert mail["To"] == "desk@example.org, analyst@example.org"
    assert mail["Subject"].startswith("[mediawatch] Morning coverage: 1 new story")
    assert mail.get_content_type() == "multipart/alternative"
    types = {part.get_content_type() for part in mail.walk()}
    assert {"text/plain", "text/html", "image/png"} <= types


def assert_failed_and_nothing_sent(archive, server: TlsSmtpServer) -> dict:
    assert server.messages == []
    assert deliveries.delivery_counts(archive)["morning"] == {"pending": 0, "sent": 0, "failed": 1}
    (failed,) = deliveries.list_deliveries(archive, status="failed")
    assert failed["sent_at"] is None
    return failed


# ------------------------------------------------------------------ tests


def test_starttls_upgrades_the_session_before_logging_in_and_delivers(tmp_path, pki, tls_server):
    ca, folder = pki
    server = tls_server("starttls", ca.server_context(folder, ("127.0.0.1", "localhost")))
    archive = seeded_archive(tmp_path)

    result = alerts.run_digest(archive, config(tmp_path, server.port, "starttls"), "morning", NOW)

    assert [a.status for a in result.attempts] == ["sent"]
    assert_digest_arrived(server)
    # the one login happened inside the STARTTLS-upgraded session, and succeeded
    assert server.logins == [{"tls": True, "starttls": True, "authenticated": False, "login": "mw"}]
    assert server.sessions == [{"tls": True, "starttls": True, "authenticated": True}]
    (sent,) = deliveries.list_deliveries(archive, status="sent")
    assert sent["error"] is None and sent["attempts"] == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_ssl_speaks_tls_from_the_first_byte_and_delivers(tmp_path, pki, tls_server):
    ca, folder = pki
    server = tls_server("ssl", ca.server_context(folder, ("127.0.0.1", "localhost")))
    archive = seeded_archive(tmp_path)

    result = alerts.run_digest(archive, config(tmp_path, server.port, "ssl"), "morning", NOW)

    assert [a.status for a in result.attempts] == ["sent"]
    assert_digest_arrived(server)
    # TLS on the transport without any STARTTLS: the port was TLS from the start
    assert server.logins == [
        {"tls": True, "starttls": False, "authenticated": False, "login": "mw"}
    ]
    assert server.sessions == [{"tls": True, "starttls": False, "authenticated": True}]
    (sent,) = deliveries.list_deliveries(archive, status="sent")
    assert sent["error"] is None and sent["attempts"] == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
@pytest.mark.parametrize(
    ("issuer", "names", "reason"),
    [
        ("stranger", ("127.0.0.1", "localhost"), "unable to get local issuer certificate"),
        ("trusted", ("mail.example.org",), "IP address mismatch"),
    ],
    ids=["unknown-ca", "wrong-name"],
)
def test_a_certificate_the_client_cannot_trust_fails_for_good_before_the_password_is_sent(
    tmp_path, pki, tls_server, security, issuer, names, reason
):
    ca, folder = pki
    signer = Authority("somebody else's CA") if issuer == "stranger" else ca
    server = tls_server(security, signer.server_context(folder, names))
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path, server.port, security)

    (attempt,) = alerts.run_digest(archive, schedules, "morning", NOW).attempts

    assert attempt.status == "failed"
    assert f"127.0.0.1:{server.port}: certificate not trusted" in attempt.detail
    assert reason in attempt.detail
    failed = assert_failed_and_nothing_sent(archive, server)
    assert "certificate not trusted" in failed["error"] and reason in failed["error"]
    assert server.logins == []  # the password never went to the untrusted server
    # a failed delivery is not retried later
    assert alerts.send_pending(archive, schedules, NOW + timedelta(hours=9)) == []
    assert server.messages == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_starttls_channel_refuses_a_server_without_starttls_instead_of_sending_in_clear(
    tmp_path, pki, tls_server
):
    server = tls_server("plain")
    archive = seeded_archive(tmp_path)

    (attempt,) = alerts.run_digest(
        archive, config(tmp_path, server.port, "starttls"), "morning", NOW
    ).attempts

    assert attempt.status == "failed"
    assert "STARTTLS" in attempt.detail
    assert_failed_and_nothing_sent(archive, server)
    assert server.logins == []
