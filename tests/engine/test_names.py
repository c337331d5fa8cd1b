"""Name, label and port syntax, worded as the API server words it.

Sources: k8s.io/apimachinery pkg/util/validation/validation.go and ip.go,
pkg/api/validate/content/kube.go, pkg/apis/meta/v1/validation/validation.go,
pkg/api/validation/objectmeta.go.
"""

from __future__ import annotations

import pytest

from simulator.engine.apiserver.validation import names
from simulator.engine.errors import INVALID, REQUIRED, TOO_LONG

DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
QNAME_TAIL = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


# validation.go RegexError: "'ex', " then " or " -> the double space users see in kubectl output.
def test_regex_error_keeps_the_double_space_between_examples():
    assert names.regex_error("m", "re", "a", "b") == "m (e.g. 'a',  or 'b', regex used for validation is 're')"
    assert names.regex_error("m", "re") == "m (regex used for validation is 're')"


# validation.go IsDNS1123Label
@pytest.mark.parametrize(
    "value, expected",
    [
        ("a", []),
        ("my-name", []),
        ("123-abc", []),
        ("a" * 63, []),
        ("a" * 64, ["must be no more than 63 characters"]),
        ("a.b", ["must not contain dots"]),  # a valid subdomain, so the only problem is the dot
        ("", [DNS1123_LABEL_MSG]),
        ("My-Name", [DNS1123_LABEL_MSG]),
        ("-web", [DNS1123_LABEL_MSG]),
        ("web-", [DNS1123_LABEL_MSG]),
        ("web_app", [DNS1123_LABEL_MSG]),
        ("web\n", [DNS1123_LABEL_MSG]),  # Go's '$' is end of text, not "before a final newline"
        ("A" * 64, ["must be no more than 63 characters", DNS1123_LABEL_MSG]),
    ],
)
def test_a_dns1123_label_is_lower_case_alphanumerics_and_inner_dashes(value, expected):
    assert names.is_dns1123_label(value) == expected


# validation.go IsDNS1123Subdomain
@pytest.mark.parametrize(
    "value, expected",
    [
        ("example.com", []),
        ("web-0.web.default", []),
        ("a" * 253, []),
        ("a" * 254, ["must be no more than 253 characters"]),
        ("", [DNS1123_SUBDOMAIN_MSG]),
        ("a..b", [DNS1123_SUBDOMAIN_MSG]),
        (".a", [DNS1123_SUBDOMAIN_MSG]),
        ("Web", [DNS1123_SUBDOMAIN_MSG]),
    ],
)
def test_a_dns1123_subdomain_is_dot_separated_labels_up_to_253_characters(value, expected):
    assert names.is_dns1123_subdomain(value) == expected


# validation.go IsDNS1035Label: Service names must start with a letter.
@pytest.mark.parametrize(
    "value, expected",
    [
        ("web", []),
        ("abc-123", []),
        ("123-abc", [DNS1035_LABEL_MSG]),
        ("web.app", [DNS1035_LABEL_MSG]),  # no "must not contain dots" special case here
        ("Web_App", [DNS1035_LABEL_MSG]),
        ("w" * 64, ["must be no more than 63 characters"]),
    ],
)
def test_a_dns1035_label_must_start_with_a_letter(value, expected):
    assert names.is_dns1035_label(value) == expected


# validation.go IsWildcardDNS1123Subdomain
@pytest.mark.parametrize(
    "value, ok",
    [("*.example.com", True), ("*.a", True), ("*", False), ("*.*.a.com", False), ("f*.a.com", False), ("a.com", False)],
)
def test_a_wildcard_subdomain_has_exactly_one_leading_star_label(value, ok):
    errs = names.is_wildcard_dns1123_subdomain(value)
    assert (errs == []) is ok
    if not ok:
        assert errs[-1].startswith("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS")
        assert "(e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]" in errs[-1]


# content/kube.go IsLabelKey (a.k.a. IsQualifiedName)
@pytest.mark.parametrize(
    "value, expected",
    [
        ("app", []),
        ("App.Name_1", []),
        ("example.com/app", []),
        ("app.kubernetes.io/name", []),
        ("n" * 63, []),
        ("n" * 64, ["name part must be no more than 63 characters"]),
        ("", ["name part must be non-empty", "name part " + QNAME_TAIL]),
        ("-app", ["name part " + QNAME_TAIL]),
        ("app name", ["name part " + QNAME_TAIL]),
        ("/app", ["prefix part must be non-empty"]),
        ("example.com/", ["name part must be non-empty", "name part " + QNAME_TAIL]),
        ("Example.com/app", ["prefix part " + DNS1123_SUBDOMAIN_MSG]),
        (
            "a/b/c",
            [
                "a qualified name "
                + QNAME_TAIL
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ],
        ),
    ],
)
def test_a_label_key_is_an_optional_dns_prefix_and_a_63_character_name(value, expected):
    assert names.is_qualified_name(value) == expected


# content/kube.go IsLabelValue
@pytest.mark.parametrize(
    "value, expected",
    [
        ("", []),
        ("prod", []),
        ("v1.2_3-RC", []),
        ("v" * 63, []),
        ("v" * 64, ["must be no more than 63 characters"]),
        ("web app", [LABEL_VALUE_MSG]),
        ("-prod", [LABEL_VALUE_MSG]),
        ("prod/eu", [LABEL_VALUE_MSG]),
        ("é" * 32, ["must be no more than 63 characters", LABEL_VALUE_MSG]),  # 64 bytes: Go counts bytes
    ],
)
def test_a_label_value_may_be_empty_but_otherwise_looks_like_a_name(value, expected):
    assert names.is_valid_label_value(value) == expected


# identifier.go IsCIdentifier; validation.go IsHTTPHeaderName
def test_c_identifiers_and_http_header_names_use_their_own_messages():
    assert names.is_c_identifier("MY_VAR1") == []
    assert names.is_c_identifier("1VAR") == [
        "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric "
        "characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is "
        "'[A-Za-z_][A-Za-z0-9_]*')"
    ]
    assert names.is_http_header_name("X-Forwarded-For") == []
    assert names.is_http_header_name("X Header") == [
        "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used "
        "for validation is '[-A-Za-z0-9]+')"
    ]


# validation.go IsValidPortNum / IsInRange
@pytest.mark.parametrize("port, ok", [(1, True), (80, True), (65535, True), (0, False), (-1, False), (65536, False)])
def test_a_port_number_is_between_1_and_65535(port, ok):
    assert names.is_valid_port_num(port) == ([] if ok else ["must be between 1 and 65535, inclusive"])


def test_is_in_range_names_both_bounds():
    assert names.is_in_range(30000, 30000, 32767) == []
    assert names.is_in_range(8080, 30000, 32767) == ["must be between 30000 and 32767, inclusive"]


# validation.go IsValidPortName (IANA_SVC_NAME): every broken rule has its own message.
@pytest.mark.parametrize(
    "name, expected",
    [
        ("http", []),
        ("metrics-9090", []),
        ("h" * 15, []),
        ("h" * 16, ["must be no more than 15 characters"]),
        (
            "HTTP",
            [
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "must contain at least one letter (a-z)",
            ],
        ),
        ("8080", ["must contain at least one letter (a-z)"]),
        ("web--ui", ["must not contain consecutive hyphens"]),
        ("-web", ["must not begin or end with a hyphen"]),
        ("web-", ["must not begin or end with a hyphen"]),
        (
            "",
            [
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "must contain at least one letter (a-z)",
            ],
        ),
        ("web_ui", ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"]),
    ],
)
def test_a_port_name_is_an_iana_service_name(name, expected):
    assert names.is_valid_port_name(name) == expected


# ip.go IsValidIP / IsValidIPv4Address, parsed "sloppily" like k8s.io/utils/net ParseIPSloppy.
@pytest.mark.parametrize(
    "value, ip_ok, ipv4_ok",
    [
        ("10.96.0.1", True, True),
        ("010.096.000.001", True, True),  # leading zeros still accepted (with a warning upstream)
        ("256.0.0.1", False, False),
        ("10.0.0", False, False),
        ("2001:db8::ffff", True, False),
        ("::ffff:10.0.0.1", True, True),  # IPv4-mapped: Go's To4() succeeds
        ("fe80::1%eth0", False, False),
        ("", False, False),
        ("localhost", False, False),
    ],
)
def test_ip_addresses_are_parsed_like_the_api_server(value, ip_ok, ipv4_ok):
    assert names.is_valid_ip(value) == (
        [] if ip_ok else ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    )
    assert names.is_valid_ipv4(value) == ([] if ipv4_ok else ["must be a valid IPv4 address"])


# meta/v1/validation ValidateLabels: key and value errors both sit at metadata.labels.
def test_label_errors_are_reported_at_the_map_path_showing_the_bad_key_or_the_bad_value():
    errs = names.validate_labels({"app": "web app", "-tier": "db"}, "metadata.labels")
    assert [(e.type, e.field, e.value) for e in errs] == [
        (INVALID, "metadata.labels", "-tier"),  # sorted by key: "-tier" < "app"
        (INVALID, "metadata.labels", "web app"),
    ]
    assert str(errs[1]) == 'metadata.labels: Invalid value: "web app": ' + LABEL_VALUE_MSG
    assert str(errs[0]) == 'metadata.labels: Invalid value: "-tier": name part ' + QNAME_TAIL


def test_valid_or_missing_labels_have_no_errors():
    assert names.validate_labels({"app": "web", "zone": ""}, "metadata.labels") == []
    assert names.validate_labels(None, "metadata.labels") == []


# objectmeta.go ValidateAnnotations: keys checked lower-cased, 256 KiB total.
def test_annotation_keys_are_checked_case_insensitively_but_shown_as_written():
    assert names.validate_annotations({"Example.COM/Owner": "Ada Lovelace, 1843!"}) == []
    errs = names.validate_annotations({"bad key": "x"}, "metadata.annotations")
    assert [(e.field, e.value) for e in errs] == [("metadata.annotations", "bad key")]


def test_annotations_may_total_at_most_256_kib_of_keys_and_values():
    limit = names.TOTAL_ANNOTATION_SIZE_LIMIT_B
    assert limit == 262144
    assert names.validate_annotations({"note": "x" * (limit - 4)}) == []
    errs = names.validate_annotations({"note": "x" * (limit - 3)}, "metadata.annotations")
    assert [(e.type, e.field) for e in errs] == [(TOO_LONG, "metadata.annotations")]
    assert str(errs[0]) == "metadata.annotations: Too long: may not be more than 262144 bytes"


# objectmeta.go ValidateObjectMetaAccessor (name part)
@pytest.mark.parametrize(
    "name, rule, expected",
    [
        ("web", "dns1123-subdomain", []),
        ("web.v1", "dns1123-subdomain", []),
        ("web.v1", "dns1123-label", ["must not contain dots"]),
        ("1web", "dns1123-label", []),
        ("1web", "dns1035-label", [DNS1035_LABEL_MSG]),
    ],
)
def test_object_names_follow_their_kinds_rule(name, rule, expected):
    errs = names.validate_name(name, "metadata.name", rule)
    assert [(e.type, e.field, e.value, e.detail) for e in errs] == [
        (INVALID, "metadata.name", name, msg) for msg in expected
    ]


def test_a_missing_name_is_required():
    errs = names.validate_name("", "metadata.name", "dns1035-label")
    assert [(e.type, str(e)) for e in errs] == [
        (REQUIRED, "metadata.name: Required value: name or generateName is required")
    ]


def test_an_unknown_name_rule_is_a_programming_error():
    with pytest.raises(ValueError):
        names.validate_name("web", "metadata.name", "dns-ish")
