"""Name, label and port syntax checks, in the API server's own words.

Python ports of apimachinery's string validators. Each `is_*` function returns a list of
detail strings (empty = valid), exactly as the Go function does, so a caller can wrap
each one in a `FieldError` (`invalid(path, value, detail)`), as the API server does.

Sources (read, not copied):
- k8s.io/apimachinery/pkg/util/validation/validation.go   (IsDNS1123Label, IsDNS1123Subdomain,
  IsDNS1035Label, IsWildcardDNS1123Subdomain, IsValidPortNum, IsInRange, IsValidPortName,
  IsHTTPHeaderName, MaxLenError, RegexError, EmptyError, InclusiveRangeError)
- k8s.io/apimachinery/pkg/util/validation/ip.go            (IsValidIP, IsValidIPv4Address)
- k8s.io/apimachinery/pkg/api/validate/content/kube.go     (IsLabelKey a.k.a. IsQualifiedName,
  IsLabelValue), identifier.go (IsCIdentifier)
- k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go   (ValidateLabels, ValidateLabelName)
- k8s.io/apimachinery/pkg/api/validation/objectmeta.go      (ValidateAnnotations, ValidateObjectMeta)

Wording baseline: the messages released API servers print, e.g.
`must be no more than 63 characters` and `name part must consist of ...`, with the DNS-1123
label check that says `must not contain dots` for a valid subdomain. Upstream master has begun
moving the label-key check into `api/validate/content`, where a too-many-slashes key reads
"a valid label key ..." and lengths read "... bytes"; we keep the released wording
("a qualified name ...", "... characters") until the course pins a newer cluster version.

Lengths are counted in bytes (UTF-8), as Go's `len()` does, although the message says
"characters".
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

from ...errors import FieldError, invalid, required, too_long
from ...netaddr import parse_ip_sloppy

__all__ = [
    "DNS1035_LABEL_MAX_LENGTH",
    "DNS1123_LABEL_MAX_LENGTH",
    "DNS1123_SUBDOMAIN_MAX_LENGTH",
    "LABEL_VALUE_MAX_LENGTH",
    "NAME_RULES",
    "QUALIFIED_NAME_MAX_LENGTH",
    "TOTAL_ANNOTATION_SIZE_LIMIT_B",
    "empty_error",
    "inclusive_range_error",
    "is_c_identifier",
    "is_config_map_key",
    "is_dns1035_label",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "is_dns1123_subdomain_with_underscore",
    "is_domain_prefixed_path",
    "is_http_header_name",
    "is_in_range",
    "is_qualified_name",
    "is_valid_ip",
    "is_valid_ipv4",
    "is_valid_label_value",
    "is_valid_port_name",
    "is_valid_port_num",
    "is_wildcard_dns1123_subdomain",
    "max_len_error",
    "regex_error",
    "validate_annotations",
    "validate_label_name",
    "validate_labels",
    "validate_name",
]

# ---------------------------------------------------------------------------------------------
# Message builders (util/validation/validation.go)
# ---------------------------------------------------------------------------------------------


def max_len_error(length: int) -> str:
    """MaxLenError."""
    return f"must be no more than {length} characters"


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """RegexError. Note the Go loop writes `'ex', ` then ` or `, hence the double space in
    `(e.g. 'my-name',  or '123-abc', regex used for validation is '...')`."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    out = msg + " (e.g. "
    for i, example in enumerate(examples):
        if i > 0:
            out += " or "
        out += f"'{example}', "
    return out + f"regex used for validation is '{fmt}')"


def empty_error() -> str:
    """EmptyError."""
    return "must be non-empty"


def inclusive_range_error(lo: int, hi: int) -> str:
    """InclusiveRangeError."""
    return f"must be between {lo} and {hi}, inclusive"


def _byte_len(value: str) -> int:
    # Go's len(string) counts UTF-8 bytes; only pay for encoding when non-ASCII.
    return len(value) if value.isascii() else len(value.encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# DNS names
# ---------------------------------------------------------------------------------------------

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL_ERR_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
DNS1123_LABEL_MAX_LENGTH = 63

DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*"
DNS1123_SUBDOMAIN_ERR_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)
DNS1123_SUBDOMAIN_MAX_LENGTH = 253

DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
DNS1035_LABEL_ERR_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
    "start with an alphabetic character, and end with an alphanumeric character"
)
DNS1035_LABEL_MAX_LENGTH = 63

WILDCARD_DNS1123_SUBDOMAIN_FMT = "\\*\\." + DNS1123_SUBDOMAIN_FMT
WILDCARD_DNS1123_SUBDOMAIN_ERR_MSG = (
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
    "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
    "alphanumeric character"
)

# Go anchors with ^...$ (no multiline, so '$' is end of text): re.fullmatch is the equivalent.
_DNS1123_LABEL_RE = re.compile(DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN_RE = re.compile(DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL_RE = re.compile(DNS1035_LABEL_FMT)
_WILDCARD_DNS1123_SUBDOMAIN_RE = re.compile(WILDCARD_DNS1123_SUBDOMAIN_FMT)


def is_dns1123_label(value: str) -> list[str]:
    """IsDNS1123Label: e.g. a Namespace or a Service port name's DNS part."""
    errs: list[str] = []
    if _byte_len(value) > DNS1123_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            # A valid subdomain but not a valid label: length was checked, so it must be dots.
            errs.append("must not contain dots")
        else:
            errs.append(regex_error(DNS1123_LABEL_ERR_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    """IsDNS1123Subdomain: most object names (Pods, Deployments, ConfigMaps, ...)."""
    errs: list[str] = []
    if _byte_len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errs.append(regex_error(DNS1123_SUBDOMAIN_ERR_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


DNS1123_LABEL_FMT_WITH_UNDERSCORE = "_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN_FMT_WITH_UNDERSCORE = (
    DNS1123_LABEL_FMT_WITH_UNDERSCORE + "(\\." + DNS1123_LABEL_FMT_WITH_UNDERSCORE + ")*"
)
DNS1123_SUBDOMAIN_ERR_MSG_WITH_UNDERSCORE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_WITH_UNDERSCORE_RE = re.compile(DNS1123_SUBDOMAIN_FMT_WITH_UNDERSCORE)


def is_dns1123_subdomain_with_underscore(value: str) -> list[str]:
    """IsDNS1123SubdomainWithUnderscore (a pod's dnsConfig search domains, relaxed)."""
    errs = []
    if _byte_len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_WITH_UNDERSCORE_RE.fullmatch(value):
        errs.append(
            regex_error(DNS1123_SUBDOMAIN_ERR_MSG_WITH_UNDERSCORE, DNS1123_SUBDOMAIN_FMT_WITH_UNDERSCORE, "example.com")
        )
    return errs


def is_dns1035_label(value: str) -> list[str]:
    """IsDNS1035Label: Service names (they become DNS names and must start with a letter)."""
    errs: list[str] = []
    if _byte_len(value) > DNS1035_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1035_LABEL_MAX_LENGTH))
    if not _DNS1035_LABEL_RE.fullmatch(value):
        errs.append(regex_error(DNS1035_LABEL_ERR_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


def is_wildcard_dns1123_subdomain(value: str) -> list[str]:
    """IsWildcardDNS1123Subdomain (RFC 1034 4.3.3): `*.example.com`; not `*`, `*.*.a.com`, `f*.a.com`."""
    errs: list[str] = []
    if _byte_len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _WILDCARD_DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errs.append(regex_error(WILDCARD_DNS1123_SUBDOMAIN_ERR_MSG, WILDCARD_DNS1123_SUBDOMAIN_FMT, "*.example.com"))
    return errs


# ---------------------------------------------------------------------------------------------
# ConfigMap and Secret keys, domain-prefixed paths
# ---------------------------------------------------------------------------------------------

CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"
CONFIG_MAP_KEY_ERR_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
_CONFIG_MAP_KEY_RE = re.compile(CONFIG_MAP_KEY_FMT)


def is_config_map_key(value: str) -> list[str]:
    """IsConfigMapKey: a key of a ConfigMap's or Secret's data (it becomes a file name in a
    volume, hence hasChDirPrefix: not `.`, not `..`, not starting with `..`)."""
    errs: list[str] = []
    if _byte_len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _CONFIG_MAP_KEY_RE.fullmatch(value):
        errs.append(regex_error(CONFIG_MAP_KEY_ERR_MSG, CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name"))
    if value == ".":
        errs.append("must not be '.'")
    elif value == "..":
        errs.append("must not be '..'")
    elif value.startswith(".."):
        errs.append("must not start with '..'")
    return errs


HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+"
_HTTP_PATH_RE = re.compile(HTTP_PATH_FMT)


def is_domain_prefixed_path(path: str, value: str) -> list[FieldError]:
    """IsDomainPrefixedPath (an IngressClass's spec.controller, `example.com/ingress`): errors
    at `path`, as the Go function returns a field.ErrorList itself."""
    if not value:
        return [required(path)]
    host, slash, rest = value.partition("/")
    if not slash or not host or not rest:
        return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
    errs = [invalid(path, host, msg) for msg in is_dns1123_subdomain(host)]
    if not _HTTP_PATH_RE.fullmatch(rest):
        errs.append(invalid(path, rest, regex_error("Invalid path", HTTP_PATH_FMT)))
    return errs


# ---------------------------------------------------------------------------------------------
# Label keys and values
# ---------------------------------------------------------------------------------------------

_QNAME_CHAR_FMT = "[A-Za-z0-9]"
_QNAME_EXT_CHAR_FMT = "[-A-Za-z0-9_.]"
QUALIFIED_NAME_FMT = "(" + _QNAME_CHAR_FMT + _QNAME_EXT_CHAR_FMT + "*)?" + _QNAME_CHAR_FMT
QUALIFIED_NAME_ERR_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)
QUALIFIED_NAME_MAX_LENGTH = 63
_QUALIFIED_NAME_RE = re.compile(QUALIFIED_NAME_FMT)

LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?"
LABEL_VALUE_ERR_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
LABEL_VALUE_MAX_LENGTH = 63
_LABEL_VALUE_RE = re.compile(LABEL_VALUE_FMT)


def is_qualified_name(value: str) -> list[str]:
    """IsQualifiedName (label keys, annotation keys, finalizers): `[prefix/]name`.

    The optional prefix must be a DNS-1123 subdomain (each of its messages is prefixed with
    "prefix part "); the name part is at most 63 characters of [-A-Za-z0-9_.] starting and ending
    alphanumeric. More than one '/' is a single, different message.
    """
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part " + empty_error())
        else:
            errs.extend("prefix part " + msg for msg in is_dns1123_subdomain(prefix))
    else:
        return [
            "a qualified name "
            + regex_error(QUALIFIED_NAME_ERR_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]

    if not name:
        errs.append("name part " + empty_error())
    elif _byte_len(name) > QUALIFIED_NAME_MAX_LENGTH:
        errs.append("name part " + max_len_error(QUALIFIED_NAME_MAX_LENGTH))
    # Note: an empty name gets both "must be non-empty" and the regex message, as in Go.
    if not _QUALIFIED_NAME_RE.fullmatch(name):
        errs.append(
            "name part " + regex_error(QUALIFIED_NAME_ERR_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
        )
    return errs


def is_valid_label_value(value: str) -> list[str]:
    """IsValidLabelValue: empty, or up to 63 characters of [-A-Za-z0-9_.] starting/ending alphanumeric."""
    errs: list[str] = []
    if _byte_len(value) > LABEL_VALUE_MAX_LENGTH:
        errs.append(max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errs.append(regex_error(LABEL_VALUE_ERR_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


# ---------------------------------------------------------------------------------------------
# Identifiers and headers
# ---------------------------------------------------------------------------------------------

C_IDENTIFIER_FMT = "[A-Za-z_][A-Za-z0-9_]*"
C_IDENTIFIER_ERR_MSG = (
    "a valid C identifier must start with alphabetic character or '_', followed by a string of "
    "alphanumeric characters or '_'"
)
_C_IDENTIFIER_RE = re.compile(C_IDENTIFIER_FMT)

HTTP_HEADER_NAME_FMT = "[-A-Za-z0-9]+"
HTTP_HEADER_NAME_ERR_MSG = "a valid HTTP header must consist of alphanumeric characters or '-'"
_HTTP_HEADER_NAME_RE = re.compile(HTTP_HEADER_NAME_FMT)


def is_c_identifier(value: str) -> list[str]:
    """IsCIdentifier (format only, no length limit)."""
    if _C_IDENTIFIER_RE.fullmatch(value):
        return []
    return [regex_error(C_IDENTIFIER_ERR_MSG, C_IDENTIFIER_FMT, "my_name", "MY_NAME", "MyName")]


def is_http_header_name(value: str) -> list[str]:
    """IsHTTPHeaderName."""
    if _HTTP_HEADER_NAME_RE.fullmatch(value):
        return []
    return [regex_error(HTTP_HEADER_NAME_ERR_MSG, HTTP_HEADER_NAME_FMT, "X-Header-Name")]


# ---------------------------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------------------------

_PORT_NAME_CHARSET_RE = re.compile("[-a-z0-9]+")
_PORT_NAME_ONE_LETTER_RE = re.compile("[a-z]")


def is_valid_port_num(port: int) -> list[str]:
    """IsValidPortNum: 1..65535 (0 is not a port)."""
    if 1 <= port <= 65535:
        return []
    return [inclusive_range_error(1, 65535)]


def is_in_range(value: int, lo: int, hi: int) -> list[str]:
    """IsInRange (inclusive)."""
    if lo <= value <= hi:
        return []
    return [inclusive_range_error(lo, hi)]


def is_valid_port_name(name: str) -> list[str]:
    """IsValidPortName (IANA_SVC_NAME, RFC 6335, lower case only).

    Every failing rule reports its own message, in this order: length (15), charset,
    at least one letter, no '--', no leading/trailing '-'.
    """
    errs: list[str] = []
    if _byte_len(name) > 15:
        errs.append(max_len_error(15))
    if not _PORT_NAME_CHARSET_RE.fullmatch(name):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_ONE_LETTER_RE.search(name):
        errs.append("must contain at least one letter (a-z)")
    if "--" in name:
        errs.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


# ---------------------------------------------------------------------------------------------
# IP addresses (util/validation/ip.go; parsing per k8s.io/utils/net ParseIPSloppy)
# ---------------------------------------------------------------------------------------------


def is_valid_ip(value: str) -> list[str]:
    """IsValidIP (message includes the odd comma before "(e.g.", as upstream)."""
    if parse_ip_sloppy(value) is None:
        return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    return []


def is_valid_ipv4(value: str) -> list[str]:
    """IsValidIPv4Address: also accepts IPv4-mapped IPv6 ("::ffff:1.2.3.4"), since Go's To4() does."""
    ip = parse_ip_sloppy(value)
    if ip is None or (isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None):
        return ["must be a valid IPv4 address"]
    return []


# ---------------------------------------------------------------------------------------------
# FieldError producers
# ---------------------------------------------------------------------------------------------

TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * (1 << 10)  # 256 KiB, objectmeta.go TotalAnnotationSizeLimitB


def validate_label_name(name: str, path: str) -> list[FieldError]:
    """metav1validation.ValidateLabelName: one Invalid per message, the value is the key."""
    return [invalid(path, name, msg) for msg in is_qualified_name(name)]


def validate_labels(labels: Mapping[str, str] | None, path: str = "metadata.labels") -> list[FieldError]:
    """metav1validation.ValidateLabels.

    Both key and value errors are reported at the map's own path (e.g. `metadata.labels`, with
    no `[key]` suffix); they differ only by the bad value shown: the key for a bad key, the
    value for a bad value. Go iterates the map in random order; we go by sorted key.
    """
    errs: list[FieldError] = []
    if not labels:
        return errs
    for key in sorted(labels):
        value = labels[key]
        if type(value) is str and (key, value) in _VALID_LABELS:
            continue
        found = len(errs)
        errs.extend(validate_label_name(key, path))
        errs.extend(invalid(path, value, msg) for msg in is_valid_label_value(value))
        if len(errs) == found and type(key) is str and type(value) is str:
            if len(_VALID_LABELS) >= 65_536:
                _VALID_LABELS.clear()
            _VALID_LABELS.add((key, value))
    return errs


# Label pairs already found valid: the same pairs come back on every object of an app (and a
# pair's validity depends on its text alone).
_VALID_LABELS: set[tuple[str, str]] = set()


def validate_annotations(annotations: Mapping[str, str] | None, path: str = "metadata.annotations") -> list[FieldError]:
    """apimachinery api/validation ValidateAnnotations.

    Keys are qualified names checked case-insensitively (lower-cased before checking, the
    original key shown); values are free-form. The total of len(key)+len(value) over all
    entries, in bytes, may not exceed 256 KiB (reported once as "Too long" at `path`).
    """
    errs: list[FieldError] = []
    if not annotations:
        return errs
    total = 0
    for key in sorted(annotations):
        value = annotations[key]
        errs.extend(invalid(path, key, msg) for msg in is_qualified_name(key.lower()))
        total += _byte_len(key) + _byte_len(value)
    if total > TOTAL_ANNOTATION_SIZE_LIMIT_B:
        errs.append(too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT_B))
    return errs


NAME_RULES = {
    "dns1123-subdomain": is_dns1123_subdomain,  # most kinds (Pod, Deployment, ConfigMap, ...)
    "dns1123-label": is_dns1123_label,  # Namespace
    "dns1035-label": is_dns1035_label,  # Service
}


def validate_name(
    name: str | None, path: str = "metadata.name", kind_rule: str = "dns1123-subdomain"
) -> list[FieldError]:
    """The name part of ValidateObjectMetaAccessor: Required when empty, else one Invalid per
    message of the kind's rule. (generateName is not simulated.)"""
    try:
        rule = NAME_RULES[kind_rule]
    except KeyError:
        raise ValueError(f"unknown name rule {kind_rule!r}; expected one of {sorted(NAME_RULES)}") from None
    if not name:
        return [required(path, "name or generateName is required")]
    return [invalid(path, name, msg) for msg in rule(name)]
