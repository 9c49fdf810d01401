"""A stand-in for the Sealed Secrets controller, for tests: its key pair and its unsealing.

Written from the upstream Go source of bitnami-labs/sealed-secrets, independently of
``generators/domain/secrets/sealing.py`` (which it must not import, so that the tests
compare two readings of the algorithm, not one):

- ``pkg/crypto/keys.go`` (``GeneratePrivateKeyAndCert``, ``SignKey``): the key pair and its
  self-signed certificate;
- ``pkg/crypto/crypto.go`` (``HybridDecrypt``, ``singleDecrypt``): the per-value decryption;
- ``pkg/apis/sealedsecrets/v1alpha1/sealedsecret_expansion.go`` (``EncryptionLabel``,
  ``SecretScope``, ``labelFor``, ``SealedSecret.Unseal``): the OAEP label derived from the
  SealedSecret's own metadata.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import struct
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import ExtensionOID, NameOID

__all__ = [
    "CLUSTER_WIDE_ANNOTATION",
    "NAMESPACE_WIDE_ANNOTATION",
    "UnsealError",
    "encryption_label",
    "make_key_pair",
    "secret_scope",
    "sign_key",
    "unseal",
    "unseal_object",
]

#: ``SealedSecretClusterWideAnnotation`` / ``SealedSecretNamespaceWideAnnotation`` (types.go).
CLUSTER_WIDE_ANNOTATION = "sealedsecrets.bitnami.com/cluster-wide"
NAMESPACE_WIDE_ANNOTATION = "sealedsecrets.bitnami.com/namespace-wide"

#: The controller's ``--key-ttl`` default (``cmd/controller``): ten years of 365 days.
DEFAULT_KEY_TTL = timedelta(days=10 * 365)

#: DER of the KeyUsage extension value Go writes for ``x509.KeyUsageEncipherOnly`` alone:
#: BIT STRING, 0 unused bits, one byte 0x01 (bit 7, encipherOnly). ``cryptography``'s
#: ``x509.KeyUsage`` cannot express it (it insists on key_agreement with encipher_only), so
#: the raw extension is written; ``cryptography`` then refuses to *parse* the extensions of
#: such a certificate, which is why a sealer must not touch ``cert.extensions``.
_KEY_USAGE_ENCIPHER_ONLY_DER = b"\x03\x02\x00\x01"

#: GCM nonce: ``make([]byte, aed.NonceSize())`` with Go's standard 12-byte GCM.
_ZERO_NONCE = bytes(12)


class UnsealError(Exception):
    """The controller could not decrypt a value (wrong key, label, or corrupted data)."""


def sign_key(
    private_key: rsa.RSAPrivateKey,
    *,
    not_after: datetime,
    not_before: datetime | None = None,
    cn: str = "sealed-secret",
) -> bytes:
    """A self-signed certificate for ``private_key``, as ``SignKey`` makes it, in PEM.

    Mirrors ``pkg/crypto/keys.go`` ``SignKey``: a random serial below 2**128, subject (and
    issuer) with only the common name (Go leaves an empty CN out, so ``cn=""`` gives an empty
    subject, as with the controller's default ``--my-cn ""``), KeyUsage encipher-only
    (critical), BasicConstraints CA:TRUE without a path length (critical), and the
    SubjectKeyIdentifier Go adds to CA certificates; signed SHA-256 with RSA (Go's default for
    an RSA key).
    """
    not_before = not_before or min(datetime.now(UTC), not_after - timedelta(days=1))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)] if cn else [])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private_key.public_key())
        .serial_number(secrets.randbelow(2**128 - 1) + 1)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.UnrecognizedExtension(ExtensionOID.KEY_USAGE, _KEY_USAGE_ENCIPHER_ONLY_DER),
            critical=True,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(private_key.public_key()), critical=False
        )
    )
    cert = builder.sign(private_key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM)


def make_key_pair(
    bits: int = 4096,
    *,
    not_after: datetime | None = None,
    cn: str = "sealed-secret",
) -> tuple[rsa.RSAPrivateKey, bytes]:
    """A controller key pair: (private key, PEM certificate), like ``GeneratePrivateKeyAndCert``.

    ``bits`` is the controller's ``--key-size`` (4096 by default upstream, 2048 accepted);
    ``not_after`` defaults to now plus the controller's ``--key-ttl`` default (10 years).
    Go's ``rsa.GenerateKey`` uses the public exponent 65537.
    """
    if bits not in (2048, 4096):
        raise ValueError(f"bits must be 2048 or 4096, not {bits}")
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    not_after = not_after or datetime.now(UTC) + DEFAULT_KEY_TTL
    return private_key, sign_key(private_key, not_after=not_after, cn=cn)


def encryption_label(namespace: str, name: str, scope: str) -> bytes:
    """The OAEP label for ``scope``, as ``EncryptionLabel`` (sealedsecret_expansion.go).

    strict -> ``"<namespace>/<name>"``, namespace-wide -> ``"<namespace>"``, cluster-wide ->
    empty. Go's enum cannot hold an unknown scope; here an unknown name is a ValueError.
    """
    if scope == "cluster-wide":
        return b""
    if scope == "namespace-wide":
        return namespace.encode()
    if scope == "strict":
        return f"{namespace}/{name}".encode()
    raise ValueError(f"unknown scope {scope!r}")


def secret_scope(annotations: Mapping[str, str] | None) -> str:
    """The scope the controller reads from an object's annotations (``SecretScope``).

    The values must be exactly ``"true"``; cluster-wide is checked first, so it wins.
    """
    annotations = annotations or {}
    if annotations.get(CLUSTER_WIDE_ANNOTATION) == "true":
        return "cluster-wide"
    if annotations.get(NAMESPACE_WIDE_ANNOTATION) == "true":
        return "namespace-wide"
    return "strict"


def _std_base64_decode(value: str) -> bytes:
    """Go's ``base64.StdEncoding.DecodeString``: standard alphabet, padding required.

    Go's decoder skips ``\\r`` and ``\\n``; anything else outside the alphabet is an error.
    """
    cleaned = value.replace("\r", "").replace("\n", "")
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UnsealError(f"illegal base64 data: {exc}") from None


def _single_decrypt(private_key: rsa.RSAPrivateKey, ciphertext: bytes, label: bytes) -> bytes:
    """``singleDecrypt`` (crypto.go): split, RSA-OAEP(SHA-256) the session key, AES-GCM open."""
    if len(ciphertext) < 2:
        raise UnsealError("SealedSecret data is too short")
    (rsa_len,) = struct.unpack(">H", ciphertext[:2])
    if len(ciphertext) < rsa_len + 2:
        raise UnsealError("SealedSecret data is too short")
    rsa_ciphertext = ciphertext[2 : rsa_len + 2]
    aes_ciphertext = ciphertext[rsa_len + 2 :]
    # rsa.DecryptOAEP(sha256.New(), ...): Go uses the same hash for OAEP and MGF1. An empty
    # label and no label are the same thing in OAEP (the hash of the empty string).
    oaep = padding.OAEP(
        mgf=padding.MGF1(algorithm=hashes.SHA256()),
        algorithm=hashes.SHA256(),
        label=label or None,
    )
    try:
        session_key = private_key.decrypt(rsa_ciphertext, oaep)
    except ValueError as exc:
        raise UnsealError(f"crypto/rsa: decryption error ({exc})") from None
    # aes.NewCipher accepts 16-, 24- and 32-byte keys; so does AESGCM.
    try:
        aead = AESGCM(session_key)
    except ValueError as exc:
        raise UnsealError(f"crypto/aes: invalid key size ({exc})") from None
    try:
        return aead.decrypt(_ZERO_NONCE, aes_ciphertext, None)
    except InvalidTag:
        raise UnsealError("cipher: message authentication failed") from None
    except ValueError as exc:  # shorter than the tag
        raise UnsealError(f"cipher: message authentication failed ({exc})") from None


def _keys(
    private_keys: rsa.RSAPrivateKey | Iterable[rsa.RSAPrivateKey],
) -> list[rsa.RSAPrivateKey]:
    if isinstance(private_keys, rsa.RSAPrivateKey):
        return [private_keys]
    return list(private_keys)


def _hybrid_decrypt(keys: list[rsa.RSAPrivateKey], ciphertext: bytes, label: bytes) -> bytes:
    """``HybridDecrypt`` (crypto.go): the first of the controller's keys that opens the value."""
    for key in keys:
        try:
            return _single_decrypt(key, ciphertext, label)
        except UnsealError:
            continue
    raise UnsealError("no key could decrypt secret")


def unseal(
    private_key: rsa.RSAPrivateKey | Iterable[rsa.RSAPrivateKey],
    ciphertext_b64: str,
    namespace: str,
    name: str,
    scope: str,
) -> bytes:
    """One ``encryptedData`` value decrypted the way the controller does it.

    ``private_key`` may be one key or several (the controller keeps every key it has
    generated and tries each, ``HybridDecrypt``). The label is ``EncryptionLabel(namespace,
    name, scope)``, i.e. what the controller derives from the SealedSecret it unseals.

    Raises:
        UnsealError: when the value is not base64 or no key opens it under that label.
    """
    ciphertext = _std_base64_decode(ciphertext_b64)
    return _hybrid_decrypt(_keys(private_key), ciphertext, encryption_label(namespace, name, scope))


def unseal_object(
    private_key: rsa.RSAPrivateKey | Iterable[rsa.RSAPrivateKey],
    sealed_secret: Mapping[str, Any],
) -> dict[str, bytes]:
    """Every ``spec.encryptedData`` entry of a SealedSecret, as ``SealedSecret.Unseal`` does.

    The label comes from the SealedSecret's *own* ``metadata`` (``labelFor(smeta)``): its
    namespace (empty when absent, like ``GetNamespace``), its name, and the scope annotations
    on ``metadata.annotations`` (not those of ``spec.template``). Like the controller, every
    key is tried and the failures are reported together. ``spec.template.data`` templates
    are not rendered; the legacy ``spec.data`` blob is refused, as by default upstream.

    Raises:
        UnsealError: when any value does not decrypt.
    """
    metadata = sealed_secret.get("metadata") or {}
    namespace = metadata.get("namespace") or ""
    name = metadata.get("name") or ""
    scope = secret_scope(metadata.get("annotations"))
    label = encryption_label(namespace, name, scope)
    spec = sealed_secret.get("spec") or {}
    if spec.get("data") is not None:
        raise UnsealError("using deprecated 'data' field, use 'encryptedData'")
    keys = _keys(private_key)
    values: dict[str, bytes] = {}
    errors: list[str] = []
    for key, value in (spec.get("encryptedData") or {}).items():
        try:
            values[key] = _hybrid_decrypt(keys, _std_base64_decode(value), label)
        except UnsealError as exc:
            errors.append(f"{key}: {exc}")
    if errors:
        raise UnsealError("; ".join(sorted(errors)))
    return values
