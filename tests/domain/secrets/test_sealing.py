"""Sealing (domain/secrets/sealing.py) against an independent controller and kubesealpy.

``tests/sealed_controller.py`` follows the upstream Go controller (keys.go, crypto.go,
sealedsecret_expansion.go) without importing ``generators.domain.secrets.sealing``; the
kubesealpy tests compare with a third, independently written implementation from PyPI.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from generators.domain.secrets import sealing
from generators.errors import UsageError
from tests.sealed_controller import (
    CLUSTER_WIDE_ANNOTATION,
    NAMESPACE_WIDE_ANNOTATION,
    UnsealError,
    encryption_label,
    make_key_pair,
    sign_key,
    unseal,
    unseal_object,
)

NS, NAME = "payments", "db-creds"
OTHER_NS, OTHER_NAME = "billing", "api-token"
SCOPES = ("strict", "namespace-wide", "cluster-wide")
STD_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
GCM_TAG = 16

PLAINTEXTS = {
    "text": b"hunter2",
    "empty": b"",
    "binary": b"\x00\xff",
    "utf8": "pässwörd ✓".encode(),
    "16KiB": bytes(range(256)) * 64,
}


@dataclass(frozen=True)
class Controller:
    """A controller key pair, and the certificate as generators.domain.secrets.sealing loads it."""

    bits: int
    private_key: rsa.RSAPrivateKey
    pem: bytes
    cert: sealing.Certificate

    @property
    def modulus_bytes(self) -> int:
        return self.bits // 8


def _controller(bits: int) -> Controller:
    private_key, pem = make_key_pair(bits)
    return Controller(bits, private_key, pem, sealing.load_certificate(pem))


@pytest.fixture(scope="session")
def controller4096() -> Controller:
    return _controller(4096)


@pytest.fixture(scope="session")
def controller2048() -> Controller:
    return _controller(2048)


@pytest.fixture(params=[4096, 2048], ids=["rsa4096", "rsa2048"])
def controller(request: pytest.FixtureRequest) -> Controller:
    fixture: Controller = request.getfixturevalue(f"controller{request.param}")
    return fixture


def _seal(ctl: Controller, plaintext: bytes, scope: str, ns: str = NS, name: str = NAME) -> str:
    return sealing.seal(ctl.cert, plaintext, namespace=ns, name=name, scope=scope)


def _sealed_secret(
    ns: str, name: str, scope_annotations: dict[str, str], data: dict[str, str]
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": ns}
    if scope_annotations:
        metadata["annotations"] = scope_annotations
    return {
        "apiVersion": "bitnami.com/v1alpha1",
        "kind": "SealedSecret",
        "metadata": metadata,
        "spec": {"encryptedData": data, "template": {"metadata": {"name": name}}},
    }


def _annotations(scope: str) -> dict[str, str]:
    """The scope annotations generators.domain.secrets.sealing declares for ``scope``."""
    if scope == "strict":
        return {}
    return {sealing.SCOPE_ANNOTATIONS[scope]: "true"}


def _pem_to_der(pem: bytes) -> bytes:
    """The first certificate's DER, decoded by hand (not through the sealing module)."""
    text = pem.decode("ascii")
    body = text.split("-----BEGIN CERTIFICATE-----", 1)[1].split("-----END CERTIFICATE-----")[0]
    return base64.b64decode("".join(body.split()))


# --- the constants agree with upstream ------------------------------------------------------


def test_scope_names_and_annotations_match_the_controller() -> None:
    assert sealing.SCOPES == SCOPES
    assert sealing.SCOPE_ANNOTATIONS == {
        "namespace-wide": NAMESPACE_WIDE_ANNOTATION,
        "cluster-wide": CLUSTER_WIDE_ANNOTATION,
    }


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize(("ns", "name"), [(NS, NAME), ("kube-system", "x"), ("a-b", "c.d")])
def test_label_matches_encryption_label(scope: str, ns: str, name: str) -> None:
    assert sealing.label(ns, name, scope) == encryption_label(ns, name, scope)


def test_label_rejects_an_unknown_scope() -> None:
    with pytest.raises(ValueError, match="unknown scope"):
        sealing.label(NS, NAME, "global")


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("plaintext", PLAINTEXTS.values(), ids=PLAINTEXTS.keys())
@pytest.mark.parametrize("scope", SCOPES)
def test_round_trip(controller: Controller, scope: str, plaintext: bytes) -> None:
    value = _seal(controller, plaintext, scope)
    assert unseal(controller.private_key, value, NS, NAME, scope) == plaintext


@pytest.mark.parametrize("scope", SCOPES)
def test_round_trip_through_a_sealed_secret_object(controller4096: Controller, scope: str) -> None:
    values = {"password": b"hunter2", "empty": b"", "blob": b"\x00\xff"}
    obj = _sealed_secret(
        NS,
        NAME,
        _annotations(scope),
        {k: _seal(controller4096, v, scope) for k, v in values.items()},
    )
    assert unseal_object(controller4096.private_key, obj) == values


def test_value_opens_only_with_the_certificates_key(
    controller4096: Controller, controller2048: Controller
) -> None:
    value = _seal(controller4096, b"hunter2", "strict")
    with pytest.raises(UnsealError):
        unseal(controller2048.private_key, value, NS, NAME, "strict")
    # The controller keeps old keys and tries each of them (HybridDecrypt over its key map).
    keys = [controller2048.private_key, controller4096.private_key]
    assert unseal(keys, value, NS, NAME, "strict") == b"hunter2"


# --- the scope binds the value to its namespace and name --------------------------------------

BINDING = [
    # (scope, namespace read, name read, opens)
    ("strict", NS, NAME, True),
    ("strict", OTHER_NS, NAME, False),
    ("strict", NS, OTHER_NAME, False),
    ("strict", OTHER_NS, OTHER_NAME, False),
    ("namespace-wide", NS, NAME, True),
    ("namespace-wide", OTHER_NS, NAME, False),
    ("namespace-wide", NS, OTHER_NAME, True),
    ("namespace-wide", OTHER_NS, OTHER_NAME, False),
    ("cluster-wide", NS, NAME, True),
    ("cluster-wide", OTHER_NS, NAME, True),
    ("cluster-wide", NS, OTHER_NAME, True),
    ("cluster-wide", OTHER_NS, OTHER_NAME, True),
]


def _binding_id(case: tuple[str, str, str, bool]) -> str:
    scope, ns, name, opens = case
    where = f"{'ns' if ns == NS else 'other-ns'}-{'name' if name == NAME else 'other-name'}"
    return f"{scope}-{where}-{'opens' if opens else 'refused'}"


@pytest.mark.parametrize(
    ("scope", "ns", "name", "opens"), BINDING, ids=[_binding_id(c) for c in BINDING]
)
def test_namespace_and_name_binding(
    controller2048: Controller, scope: str, ns: str, name: str, opens: bool
) -> None:
    value = _seal(controller2048, b"hunter2", scope)
    if opens:
        assert unseal(controller2048.private_key, value, ns, name, scope) == b"hunter2"
    else:
        with pytest.raises(UnsealError):
            unseal(controller2048.private_key, value, ns, name, scope)


@pytest.mark.parametrize(
    ("sealed_as", "read_as"),
    list(itertools.permutations(SCOPES, 2)),
    ids=[f"{a}-read-as-{b}" for a, b in itertools.permutations(SCOPES, 2)],
)
def test_wrong_scope_does_not_open(
    controller2048: Controller, sealed_as: str, read_as: str
) -> None:
    value = _seal(controller2048, b"hunter2", sealed_as)
    with pytest.raises(UnsealError):
        unseal(controller2048.private_key, value, NS, NAME, read_as)


@pytest.mark.parametrize(
    ("scope", "ns", "name", "opens"), BINDING, ids=[_binding_id(c) for c in BINDING]
)
def test_moved_sealed_secret_object(
    controller2048: Controller, scope: str, ns: str, name: str, opens: bool
) -> None:
    """The controller reads the label from the SealedSecret's metadata where it is applied."""
    obj = _sealed_secret(ns, name, _annotations(scope), {"k": _seal(controller2048, b"v", scope)})
    if opens:
        assert unseal_object(controller2048.private_key, obj) == {"k": b"v"}
    else:
        with pytest.raises(UnsealError):
            unseal_object(controller2048.private_key, obj)


def test_scope_annotation_only_in_the_template_is_not_read(controller2048: Controller) -> None:
    obj = _sealed_secret(NS, NAME, {}, {"k": _seal(controller2048, b"v", "namespace-wide")})
    obj["spec"]["template"]["metadata"]["annotations"] = _annotations("namespace-wide")
    with pytest.raises(UnsealError):
        unseal_object(controller2048.private_key, obj)


@pytest.mark.parametrize(("scope", "opens"), [("cluster-wide", True), ("namespace-wide", False)])
def test_cluster_wide_annotation_wins(controller2048: Controller, scope: str, opens: bool) -> None:
    both = _annotations("namespace-wide") | _annotations("cluster-wide")
    obj = _sealed_secret(NS, NAME, both, {"k": _seal(controller2048, b"v", scope)})
    if opens:
        assert unseal_object(controller2048.private_key, obj) == {"k": b"v"}
    else:
        with pytest.raises(UnsealError):
            unseal_object(controller2048.private_key, obj)


@pytest.mark.parametrize(
    ("scope", "namespace", "name"),
    [("strict", "", NAME), ("namespace-wide", "", NAME), ("strict", NS, "")],
    ids=["strict-no-namespace", "namespace-wide-no-namespace", "strict-no-name"],
)
def test_seal_refuses_a_missing_namespace_or_name(
    controller2048: Controller, scope: str, namespace: str, name: str
) -> None:
    """kubeseal refuses these: ``NewSealedSecret`` (sealedsecret_expansion.go) "secret must
    declare a namespace", ``Seal`` (pkg/kubeseal) "missing metadata.name", and ``--raw``
    "must provide the --namespace/--name flag with --raw and --scope ..." (cmd/kubeseal, the
    same three cases as upstream's ``TestRawSealErrors``).

    Sealed anyway, a strict value gets the label ``"/<name>"`` or ``"<ns>/"``, which no
    SealedSecret can ever carry, and a namespace-wide value gets the *empty* label: it is a
    cluster-wide seal that opens in every namespace once the object says cluster-wide.
    """
    with pytest.raises((UsageError, ValueError)):
        sealing.seal(controller2048.cert, b"v", namespace=namespace, name=name, scope=scope)


def test_cluster_wide_needs_no_namespace_or_name(controller2048: Controller) -> None:
    value = sealing.seal(controller2048.cert, b"v", namespace="", name="", scope="cluster-wide")
    assert unseal(controller2048.private_key, value, OTHER_NS, OTHER_NAME, "cluster-wide") == b"v"


# --- output format ----------------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 1, 2, 7, 100])
def test_output_format(controller: Controller, length: int) -> None:
    plaintext = b"x" * length
    value = _seal(controller, plaintext, "strict")
    assert STD_BASE64.fullmatch(value), value
    assert "\n" not in value
    assert len(value) % 4 == 0
    blob = base64.b64decode(value, validate=True)
    assert len(blob) == 2 + controller.modulus_bytes + length + GCM_TAG
    assert value.count("=") == -len(blob) % 3  # padded, not stripped
    assert blob[:2] == struct.pack(">H", controller.modulus_bytes)
    assert value.startswith({4096: "Ag", 2048: "AQ"}[controller.bits])
    assert controller.cert.modulus_bytes == controller.modulus_bytes


def test_padding_is_kept(controller4096: Controller) -> None:
    # 2 + 512 + 0 + 16 = 530 bytes, 530 % 3 == 2: one "=" of padding.
    assert _seal(controller4096, b"", "strict").endswith("=")
    # 532 bytes: two.
    assert _seal(controller4096, b"ab", "strict").endswith("==")


def test_two_seals_of_one_value_differ(controller2048: Controller) -> None:
    first = _seal(controller2048, b"hunter2", "strict")
    second = _seal(controller2048, b"hunter2", "strict")
    assert first != second
    # The nonce is fixed, so equal AES parts would mean the session key was reused (OAEP's
    # own randomness alone would already make the RSA blocks differ).
    start = 2 + controller2048.modulus_bytes
    assert base64.b64decode(first)[start:] != base64.b64decode(second)[start:]
    for value in (first, second):
        assert unseal(controller2048.private_key, value, NS, NAME, "strict") == b"hunter2"


# --- certificates -----------------------------------------------------------------------------


def test_expired_certificate_is_refused(controller2048: Controller) -> None:
    pem = sign_key(controller2048.private_key, not_after=datetime.now(UTC) - timedelta(days=1))
    cert = sealing.load_certificate(pem)  # loading is fine; sealing is not
    with pytest.raises(UsageError, match="expired"):
        sealing.seal(cert, b"v", namespace=NS, name=NAME, scope="strict")


def test_expiry_is_judged_at_now(controller2048: Controller) -> None:
    not_after = datetime(2030, 1, 1, tzinfo=UTC)
    pem = sign_key(
        controller2048.private_key, not_before=datetime(2020, 1, 1, tzinfo=UTC), not_after=not_after
    )
    cert = sealing.load_certificate(pem)
    assert cert.not_after == not_after
    before = not_after - timedelta(days=1)
    value = sealing.seal(cert, b"v", namespace=NS, name=NAME, scope="strict", now=before)
    assert unseal(controller2048.private_key, value, NS, NAME, "strict") == b"v"
    with pytest.raises(UsageError, match="expired"):
        sealing.seal(
            cert, b"v", namespace=NS, name=NAME, scope="strict", now=not_after + timedelta(days=1)
        )


def test_load_certificate_reads_the_controller_certificate(controller4096: Controller) -> None:
    cert = controller4096.cert
    der = _pem_to_der(controller4096.pem)
    assert cert.fingerprint == "sha256:" + hashlib.sha256(der).hexdigest()
    assert sealing.certificate_der(controller4096.pem) == der
    assert cert.subject == "CN=sealed-secret"
    assert (
        cert.public_key.public_numbers() == controller4096.private_key.public_key().public_numbers()
    )
    assert cert.not_after == x509.load_der_x509_certificate(der).not_valid_after_utc
    assert not cert.expired(datetime.now(UTC))


def test_load_certificate_with_the_controllers_default_empty_cn(controller2048: Controller) -> None:
    # `--my-cn` defaults to "" upstream: the served certificate has an empty subject.
    pem = sign_key(
        controller2048.private_key, not_after=datetime.now(UTC) + timedelta(days=30), cn=""
    )
    cert = sealing.load_certificate(pem)
    assert cert.subject == ""
    value = sealing.seal(cert, b"v", namespace=NS, name=NAME, scope="strict")
    assert unseal(controller2048.private_key, value, NS, NAME, "strict") == b"v"


def test_load_certificate_takes_the_first_of_a_bundle(
    controller4096: Controller, controller2048: Controller
) -> None:
    cert = sealing.load_certificate(controller2048.pem + controller4096.pem)
    assert cert.fingerprint == controller2048.cert.fingerprint
    assert cert.modulus_bytes == 256
    value = sealing.seal(cert, b"v", namespace=NS, name=NAME, scope="strict")
    assert unseal(controller2048.private_key, value, NS, NAME, "strict") == b"v"


def _ec_certificate_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "not-rsa")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_load_certificate_rejects_a_non_rsa_certificate() -> None:
    with pytest.raises(UsageError, match="RSA"):
        sealing.load_certificate(_ec_certificate_pem())


def _not_pem_inputs() -> dict[str, bytes]:
    private_key, pem = make_key_pair(2048)
    return {
        "empty": b"",
        "text": b"not a certificate\n",
        "der": x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER),
        "public-key-pem": private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "corrupt-body": b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    }


def test_load_certificate_rejects_non_pem_inputs() -> None:
    for label, data in _not_pem_inputs().items():
        # A PEM block of another kind is named (a public key is a common mix-up).
        expected = "holds a PUBLIC KEY, not a CERTIFICATE" if "public" in label else "not a PEM"
        with pytest.raises(UsageError, match=expected):
            sealing.load_certificate(data, source=label)


# --- ciphertext_problem ------------------------------------------------------------------------


def test_ciphertext_problem_accepts_a_sealed_value(controller: Controller) -> None:
    value = _seal(controller, b"hunter2", "strict")
    assert sealing.ciphertext_problem(value, controller.modulus_bytes) is None
    assert sealing.ciphertext_problem(value, None) is None


def test_ciphertext_problem_rejects_non_base64(controller4096: Controller) -> None:
    value = _seal(controller4096, b"", "strict")  # 530 bytes: ends in "="
    assert "+" in value or "/" in value  # 708 random characters: one is all but certain
    urlsafe = value.replace("+", "-").replace("/", "_")
    cases = {
        "garbage": "not base64!",
        "urlsafe-alphabet": urlsafe,
        "padding-stripped": value.rstrip("="),
        "space-inside": value[:40] + " " + value[40:],
    }
    for case, bad in cases.items():
        problem = sealing.ciphertext_problem(bad, 512)
        assert problem is not None, case
        assert "base64" in problem, (case, problem)
        with pytest.raises(UnsealError):  # the controller refuses them too
            unseal(controller4096.private_key, bad, NS, NAME, "strict")


@pytest.mark.parametrize("keep", [0, 1, 2, 2 + 100, 2 + 512, 2 + 512 + GCM_TAG - 1])
def test_ciphertext_problem_rejects_a_truncated_value(
    controller4096: Controller, keep: int
) -> None:
    blob = base64.b64decode(_seal(controller4096, b"", "strict"))
    short = base64.b64encode(blob[:keep]).decode()
    problem = sealing.ciphertext_problem(short, 512)
    assert problem is not None
    assert "short" in problem or "truncated" in problem, problem
    with pytest.raises(UnsealError):
        unseal(controller4096.private_key, short, NS, NAME, "strict")


def test_ciphertext_problem_rejects_another_key_size(
    controller4096: Controller, controller2048: Controller
) -> None:
    small = _seal(controller2048, b"v", "strict")
    problem = sealing.ciphertext_problem(small, 512)
    assert problem is not None
    assert "2048-bit" in problem
    assert "4096-bit" in problem
    big = _seal(controller4096, b"v", "strict")
    problem = sealing.ciphertext_problem(big, 256)
    assert problem is not None
    assert "4096-bit" in problem
    assert "2048-bit" in problem
    # Without a certificate to compare with, the length prefix alone is not a problem.
    assert sealing.ciphertext_problem(small, None) is None


# --- cross-check with kubesealpy (PyPI) ---------------------------------------------------------


@pytest.fixture(scope="module")
def kubesealpy() -> Any:
    return pytest.importorskip(
        "kubesealpy",
        reason="kubesealpy (PyPI) is not installed: `pip install kubesealpy` for the cross-check",
    )


@pytest.mark.parametrize(
    "plaintext", [b"hunter2", b"", b"\x00\xff"], ids=["text", "empty", "binary"]
)
@pytest.mark.parametrize("scope", SCOPES)
def test_kubesealpy_opens_our_values(
    kubesealpy: Any, controller: Controller, scope: str, plaintext: bytes
) -> None:
    unsealer = kubesealpy.Unsealer([controller.private_key])
    raw = base64.b64decode(_seal(controller, plaintext, scope))
    ks_scope = kubesealpy.SealingScope(scope)
    assert unsealer.unseal_value(raw, namespace=NS, name=NAME, scope=ks_scope) == plaintext
    other = kubesealpy.SealingScope(next(s for s in SCOPES if s != scope))
    with pytest.raises(kubesealpy.DecryptionError):
        unsealer.unseal_value(raw, namespace=NS, name=NAME, scope=other)


@pytest.mark.parametrize("scope", SCOPES)
def test_kubesealpy_opens_our_sealed_secret_object(
    kubesealpy: Any, controller2048: Controller, scope: str
) -> None:
    values = {"password": b"hunter2", "blob": b"\x00\xff"}
    encrypted = {k: _seal(controller2048, v, scope) for k, v in values.items()}
    model = kubesealpy.SealedSecret.model_validate(
        _sealed_secret(NS, NAME, _annotations(scope), encrypted)
    )
    secret = kubesealpy.Unsealer([controller2048.private_key]).unseal(model)
    assert {k: base64.b64decode(v) for k, v in secret.data.items()} == values


@pytest.mark.parametrize(
    "plaintext", [b"hunter2", b"", b"\x00\xff"], ids=["text", "empty", "binary"]
)
@pytest.mark.parametrize("scope", SCOPES)
def test_controller_opens_kubesealpy_values(
    kubesealpy: Any, controller: Controller, scope: str, plaintext: bytes
) -> None:
    # from_certificate_pem also shows kubesealpy reads a controller-style certificate.
    sealer = kubesealpy.Sealer.from_certificate_pem(controller.pem)
    raw = sealer.seal_value(
        plaintext, namespace=NS, name=NAME, scope=kubesealpy.SealingScope(scope)
    )
    value = base64.b64encode(raw).decode("ascii")
    assert sealing.ciphertext_problem(value, controller.modulus_bytes) is None
    assert len(raw) == len(base64.b64decode(_seal(controller, plaintext, scope)))
    assert unseal(controller.private_key, value, NS, NAME, scope) == plaintext
    other = next(s for s in SCOPES if s != scope)
    with pytest.raises(UnsealError):
        unseal(controller.private_key, value, NS, NAME, other)


@pytest.mark.parametrize("scope", SCOPES)
def test_controller_opens_kubesealpy_sealed_secret_object(
    kubesealpy: Any, controller2048: Controller, scope: str
) -> None:
    values = {"password": b"hunter2", "blob": b"\x00\xff"}
    sealer = kubesealpy.Sealer.from_certificate_pem(controller2048.pem)
    sealed = sealer.seal(name=NAME, namespace=NS, data=values, scope=kubesealpy.SealingScope(scope))
    obj = sealed.model_dump(by_alias=True, exclude_none=True)
    assert (obj["metadata"].get("annotations") or {}) == _annotations(scope)
    assert unseal_object(controller2048.private_key, obj) == values
