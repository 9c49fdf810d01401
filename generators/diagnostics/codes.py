"""Diagnostic codes: every stable code a problem can be reported under, with its severity."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a diagnostic is. Warnings fail a run only under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Code:
    """A stable diagnostic code: what users search for and suppress by."""

    id: str
    name: str
    severity: Severity
    summary: str
    #: The value at the location may be a credential: reports never print it.
    redacts: bool = False

    def __reduce__(self) -> tuple[object, tuple[str]]:
        # Codes cross process boundaries (parallel loading) as references to CODES.
        return (code_by_id, (self.id,))


def code_by_id(code_id: str) -> Code:
    """The code with this id."""
    return CODES[code_id]


def _code(
    id_: str,
    name: str,
    summary: str,
    severity: Severity = Severity.ERROR,
    *,
    redacts: bool = False,
) -> Code:
    code = Code(id_, name, severity, summary, redacts)
    CODES[id_] = code
    return code


#: Every code, by id. Documented in docs/diagnostics.md (a test keeps it in sync).
CODES: dict[str, Code] = {}

# Loading: the file itself cannot be read as one spec document.
UNREADABLE = _code("PL100", "unreadable-file", "the file cannot be read at all")
YAML_SYNTAX = _code("PL101", "yaml-syntax", "the file is not valid YAML")
DUPLICATE_KEY = _code("PL102", "duplicate-key", "a mapping has the same key twice")
FILE_TOO_LARGE = _code("PL103", "file-too-large", "the file exceeds the size cap")
NOT_TEXT = _code("PL104", "not-utf8", "the file is binary or not UTF-8 text")
ALIAS_BOMB = _code("PL105", "alias-expansion", "aliases expand past the node cap")
MULTIPLE_DOCUMENTS = _code("PL106", "multiple-documents", "a file holds more than one document")
EMPTY_FILE = _code("PL107", "empty-file", "the file holds no document")
NOT_A_MAPPING = _code("PL108", "not-a-mapping", "the document is not a mapping")
UNKNOWN_KIND = _code("PL109", "unknown-kind", "`kind` is missing or not a known kind")
UNKNOWN_API_VERSION = _code("PL110", "unknown-api-version", "`apiVersion` is not supported")
NAME_MISMATCH = _code("PL111", "name-mismatch", "`metadata.name` differs from the file name")
WRONG_DIRECTORY = _code("PL112", "wrong-directory", "a spec lies outside its kind's directory")
# Schema: the document does not have the shape of its kind.
UNKNOWN_FIELD = _code("PL201", "unknown-field", "a key the kind does not define")
MISSING_FIELD = _code("PL202", "missing-field", "a required key is absent")
WRONG_TYPE = _code("PL203", "wrong-type", "a value has the wrong type")
INVALID_VALUE = _code("PL204", "invalid-value", "a value is outside what the field allows")
INVALID_COMBINATION = _code("PL205", "invalid-combination", "fields that exclude each other")
# References between specs.
UNKNOWN_TEAM = _code("PL301", "unknown-team", "a reference to a team that does not exist")
UNKNOWN_SERVICE = _code("PL302", "unknown-service", "a reference to a missing service")
UNKNOWN_ENVIRONMENT = _code("PL303", "unknown-environment", "a reference to a missing environment")
DEPENDENCY_CYCLE = _code("PL304", "dependency-cycle", "services depend on each other in a loop")
DUPLICATE_NAME = _code("PL305", "duplicate-name", "two specs of one kind share a name")
RETIRED_DEPENDENCY = _code("PL306", "retired-dependency", "a dependency on a retired service")
BAD_REFERENCE = _code("PL307", "bad-reference", "a `${...}` reference that cannot resolve")
UNDECLARED_DEPENDENCY = _code(
    "PL308",
    "undeclared-dependency",
    "an env var uses a service that `dependsOn` does not list",
    Severity.WARNING,
)
MAINTENANCE_DEPENDENCY = _code(
    "PL309", "maintenance-dependency", "a dependency on a service in maintenance", Severity.WARNING
)
DUPLICATE_DEPENDENCY = _code(
    "PL310", "duplicate-dependency", "a dependsOn list names a service twice", Severity.WARNING
)
RESOURCE_DEPENDENCY = _code(
    "PL311",
    "resource-dependency",
    "a typed dependency its environment does not offer, or named twice",
)
RESOURCE_OFFER = _code(
    "PL312", "resource-offer", "an environment's resource offer that is incomplete or wrong"
)
LIFECYCLE_JUMP = _code(
    "PL313", "lifecycle-jump", "a lifecycle stage moved more than one step in one change"
)
PROMOTION_NOT_ALONE = _code(
    "PL314",
    "promotion-not-alone",
    "a promotion into a protected environment shares its change with other edits",
)
# Names that Kubernetes would reject.
INVALID_NAME = _code("PL401", "invalid-name", "a name Kubernetes does not accept")
NAME_TOO_LONG = _code("PL402", "name-too-long", "a name, or a name derived from it, is too long")
NAME_CLASH = _code(
    "PL403", "namespace-clash", "two environments share a namespace or store on a cluster"
)
# Consistency inside and across specs.
PORT_CLASH = _code("PL501", "port-clash", "two ports share a name or a number")
HOST_COLLISION = _code("PL502", "host-collision", "two services claim one public host and path")
REQUESTS_ABOVE_LIMITS = _code("PL503", "requests-above-limits", "a request exceeds its limit")
MIN_ABOVE_MAX = _code("PL504", "min-above-max", "autoscaling minimum above maximum")
BAD_QUANTITY = _code("PL505", "bad-quantity", "a CPU or memory amount Kubernetes cannot parse")
WORKLOAD_MISMATCH = _code("PL506", "workload-mismatch", "a field that does not fit the workload")
UNKNOWN_PORT = _code("PL507", "unknown-port", "a probe names a port the service lacks")
BAD_SCHEDULE = _code("PL508", "bad-schedule", "a cron schedule that is not valid")
PROMOTION_ORDER = _code("PL509", "promotion-order", "two environments share a promotion order")
CONFIG_FILE_CLASH = _code("PL510", "config-file-clash", "two config files map to one file or key")
MOUNT_CLASH = _code("PL511", "mount-clash", "two mounts share a path, or two volumes a name")
INIT_CONTAINER = _code("PL512", "init-container", "an init container that cannot run as written")
SERVICE_TYPE = _code(
    "PL513", "service-type", "a NodePort or LoadBalancer that is forbidden or does not fit"
)
IMAGE_PIN_CONFLICT = _code(
    "PL514", "image-pin-conflict", "an image tagged in the spec and pinned by an environment"
)
RESERVED_METADATA = _code(
    "PL515", "reserved-metadata", "pod labels or annotations that would replace the platform's"
)
BAD_PATCH = _code("PL516", "bad-patch", "a patch that targets nothing, fails, or breaks an object")
DELIVERY = _code(
    "PL517", "delivery", "a delivery strategy that does not fit the service or cannot judge it"
)
# Advice: never fails a run unless --strict.
MUTABLE_TAG = _code("PL601", "mutable-tag", "an image pinned to `latest`", Severity.WARNING)
PUBLIC_WITHOUT_TLS = _code(
    "PL602", "public-without-tls", "a public host without TLS", Severity.WARNING
)
NO_READINESS_PROBE = _code(
    "PL603", "no-readiness-probe", "a web service without a readiness probe", Severity.WARNING
)
WEAKENED_SECURITY = _code(
    "PL604", "weakened-security", "a pod runs below the restricted standard", Severity.WARNING
)
UNPINNED_IMAGE = _code(
    "PL605", "unpinned-image", "an image with no tag in an environment", Severity.WARNING
)
OVER_BUDGET = _code(
    "PL606", "over-budget", "a team's estimated monthly cost exceeds its budget", Severity.WARNING
)
UNPRICED_PLAN = _code(
    "PL607",
    "unpriced-plan",
    "an integration's plan or a managed resource class has no price where it is used",
    Severity.WARNING,
)
UPDATE_BLOCKED = _code(
    "PL608",
    "update-blocked",
    "a rolling update that a ReadWriteOnce claim would block",
    Severity.WARNING,
)
RETIRED_SECRET = _code(
    "PL609", "retired-secret", "a secret that only retired services use", Severity.WARNING
)

# Secrets, integrations and webhooks.
UNKNOWN_SECRET = _code("PL701", "unknown-secret", "a reference to a secret that does not exist")
UNKNOWN_SECRET_KEY = _code("PL702", "unknown-secret-key", "a secret lacks the key a service uses")
SECRET_NOT_IN_ENVIRONMENT = _code(
    "PL703", "secret-missing-environment", "a secret has no value where it is used"
)
ACCESS_DENIED = _code("PL704", "access-denied", "a secret or integration used without permission")
PLAINTEXT_SECRET = _code(
    "PL705", "plaintext-secret", "something that looks like a secret in a spec", redacts=True
)
BAD_CIPHERTEXT = _code(
    "PL706", "bad-ciphertext", "a sealed value that cannot be Sealed Secrets output", redacts=True
)
SEAL_MISMATCH = _code(
    "PL707", "seal-mismatch", "a value sealed for another namespace, name or scope"
)
SEALING_CERTIFICATE = _code(
    "PL708", "sealing-certificate", "the environment's sealing certificate is missing or unusable"
)
OTHER_CERTIFICATE = _code(
    "PL709",
    "other-certificate",
    "a value sealed with a certificate the environment no longer lists",
    Severity.WARNING,
)
ROTATION_DUE = _code("PL710", "rotation-due", "a secret is due for rotation", Severity.WARNING)
ROTATION_OVERDUE = _code(
    "PL711", "rotation-overdue", "a secret is overdue past its grace in a protected environment"
)
UNKNOWN_INTEGRATION = _code(
    "PL712", "unknown-integration", "a reference to a missing integration or catalog entry"
)
INTEGRATION_SETTING = _code(
    "PL713", "integration-setting", "an integration setting is unknown, missing or mistyped"
)
INTEGRATION_SECRET = _code(
    "PL714", "integration-secret", "an integration's credential is unmapped or unknown"
)
UNKNOWN_STORE = _code("PL715", "unknown-store", "a reference to a secret store not declared")
WEBHOOK = _code("PL716", "webhook", "a webhook that cannot be exposed or wired as written")
ENV_CLASH = _code("PL717", "env-clash", "two sources set the same env var or file")
# Observability.
BAD_PROMQL = _code("PL801", "bad-promql", "a PromQL expression, alert or SLO that is not valid")
ALERT_ROUTING = _code(
    "PL802", "alert-routing", "alert routing that cannot reach anyone or be rendered as written"
)
BAD_SILENCE = _code("PL803", "bad-silence", "a silence that is malformed or lasts too long")
SILENCE_EXPIRED = _code(
    "PL804", "silence-expired", "a silence that has ended (delete it)", Severity.WARNING
)
# CI workflows.
CI_SOURCE = _code(
    "PL901", "ci-source", "a service's `source` cannot become a CI workflow as written"
)
