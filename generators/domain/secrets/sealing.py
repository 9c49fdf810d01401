"""Offline sealing compatible with Bitnami Sealed Secrets (kubeseal): the one cryptography user.

Per value (`pkg/crypto/crypto.go`, `HybridEncrypt`): a random 32-byte AES-256 session
key, encrypted with RSA-OAEP (SHA-256 for the hash and MGF1, the scope's label); the
value encrypted with AES-256-GCM under that key with a 12-byte zero nonce (safe: the key
is used once); output ``uint16_be(len(rsa)) || rsa || aes_ciphertext || tag``, standard
base64 with padding. The scope label (`EncryptionLabel`) is ``"<namespace>/<name>"``
for strict, ``"<namespace>"`` for namespace-wide and empty for cluster-wide.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding

from generators.errors import UsageError

SCOPES = ("strict", "namespace-wide", "cluster-wide")
#: Annotations the controller reads to derive the label of a non-strict seal.
SCOPE_ANNOTATIONS = {
    "namespace-wide": "sealedsecrets.bitnami.com/namespace-wide",
    "cluster-wide": "sealedsecrets.bitnami.com/cluster-wide",
}
SESSION_KEY_BYTES = 32
#: RSA block lengths of the key sizes a controller can have (`--key-size`: 2048 to 8192).
RSA_BLOCK_BYTES = frozenset({256, 384, 512, 768, 1024})
GCM_TAG_BYTES = 16


@dataclass(frozen=True)
class Certificate:
    """A sealing controller's public certificate."""

    public_key: rsa.RSAPublicKey
    fingerprint: str  #: ``sha256:<hex>`` of the DER certificate
    not_after: datetime
    subject: str

    @property
    def modulus_bytes(self) -> int:
        """Length of every RSA ciphertext made with this key."""
        return (self.public_key.key_size + 7) // 8

    def expired(self, now: datetime) -> bool:
        """Whether the certificate is past its end date at ``now``."""
        return self.not_after <= now


def load_certificate(pem: bytes, source: str = "the certificate") -> Certificate:
    """The first certificate of a PEM bundle, as kubeseal takes it.

    Raises:
        UsageError: when there is no certificate, or its key is not RSA.
    """
    if b"-----BEGIN" in pem and b"-----BEGIN CERTIFICATE-----" not in pem:
        kind = pem.split(b"-----BEGIN ", 1)[1].split(b"-----", 1)[0].decode("ascii", "replace")
        raise UsageError(
            message=f"{source} holds a {kind}, not a CERTIFICATE",
            hint="`kubeseal --fetch-cert` prints the certificate the controller seals with",
        )
    try:
        cert = x509.load_pem_x509_certificates(pem)[0]
    except ValueError:
        raise UsageError(
            message=f"{source} is not a PEM certificate",
            hint="fetch it with `kubeseal --fetch-cert > <file>` and commit it",
        ) from None
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise UsageError(
            message=f"{source} does not hold an RSA key; Sealed Secrets uses RSA",
            hint="use the certificate the sealed-secrets controller serves",
        )
    digest = cert.fingerprint(hashes.SHA256()).hex()
    return Certificate(
        public_key=key,
        fingerprint=f"sha256:{digest}",
        not_after=cert.not_valid_after_utc,
        subject=cert.subject.rfc4514_string(),
    )


def certificate_der(pem: bytes) -> bytes:
    """The DER bytes of the first certificate (for tests and fingerprints)."""
    return x509.load_pem_x509_certificates(pem)[0].public_bytes(Encoding.DER)


def label(namespace: str, name: str, scope: str) -> bytes:
    """The OAEP label the controller derives from the SealedSecret's metadata."""
    if scope == "strict":
        return f"{namespace}/{name}".encode()
    if scope == "namespace-wide":
        return namespace.encode()
    if scope == "cluster-wide":
        return b""
    raise ValueError(f"unknown scope {scope!r}")


def seal(
    cert: Certificate,
    plaintext: bytes,
    *,
    namespace: str,
    name: str,
    scope: str,
    now: datetime | None = None,
) -> str:
    """One value sealed for ``namespace``/``name`` under ``scope``, as base64.

    Raises:
        UsageError: when the certificate has expired (kubeseal refuses too), or the scope
            needs a namespace or name that is missing.
    """
    if scope not in SCOPES:
        raise UsageError(message=f"unknown scope {scope!r}", hint=f"use one of {', '.join(SCOPES)}")
    if scope != "cluster-wide" and not namespace:
        raise UsageError(
            message=f"a {scope} seal needs the namespace the secret is rendered in",
            hint="seal with `--scope cluster-wide` to use it in any namespace",
        )
    if scope == "strict" and not name:
        raise UsageError(message="a strict seal needs the secret's name")
    now = now or datetime.now(UTC)
    if now.tzinfo is None:  # a naive time is taken as UTC, like the certificate's dates
        now = now.replace(tzinfo=UTC)
    if cert.expired(now):
        raise UsageError(
            message=f"the sealing certificate expired on {cert.not_after:%Y-%m-%d}",
            hint="fetch the controller's current certificate (`kubeseal --fetch-cert`) and "
            "commit it in place of the old one",
        )
    session_key = os.urandom(SESSION_KEY_BYTES)
    oaep = padding.OAEP(
        mgf=padding.MGF1(algorithm=hashes.SHA256()),
        algorithm=hashes.SHA256(),
        label=label(namespace, name, scope) or None,  # b"" and None are the same label
    )
    encrypted_key = cert.public_key.encrypt(session_key, oaep)
    sealed = AESGCM(session_key).encrypt(b"\0" * 12, plaintext, None)
    blob = struct.pack(">H", len(encrypted_key)) + encrypted_key + sealed
    return base64.b64encode(blob).decode("ascii")


def ciphertext_problem(value: str, modulus_bytes: int | None) -> str | None:
    """Why ``value`` cannot be a sealed value (for ``modulus_bytes``), or None.

    Checks what can be checked without the private key: standard base64, the length
    prefix, room for the RSA block and the GCM tag.
    """
    try:
        blob = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "is not Sealed Secrets output (not standard base64)"
    if len(blob) < 2:
        return "is too short to be a sealed value"
    (rsa_length,) = struct.unpack(">H", blob[:2])
    if rsa_length not in RSA_BLOCK_BYTES:
        return "is not Sealed Secrets output (no RSA block of a key size the controller uses)"
    if modulus_bytes is not None and rsa_length != modulus_bytes:
        return (
            f"was sealed with a {rsa_length * 8}-bit key, but the environment's certificate "
            f"has a {modulus_bytes * 8}-bit key"
        )
    if len(blob) < 2 + rsa_length + GCM_TAG_BYTES:
        return "is truncated (shorter than its RSA block and GCM tag)"
    return None
