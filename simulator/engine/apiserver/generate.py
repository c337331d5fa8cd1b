"""Generated names, hashes and uids, made as Kubernetes makes them but deterministic.

* `generate_name(prefix, seed)`: the apiserver's SimpleNameGenerator appends 5 characters
  from k8s.io/apimachinery/pkg/util/rand's alphabet "bcdfghjklmnpqrstvwxz2456789" (no
  vowels, no 0/1/3 so no words appear) to a prefix cut to 58 characters
  (maxGeneratedNameLength = 63 - 5). Kubernetes draws them at random; we draw them from a
  hash of the cluster's serial number so the same input always gives the same names.
* `pod_template_hash(template, collision_count)`: pkg/controller/controller_utils.go
  ComputeHash is FNV-1a (32 bit) over the template (and the collision count), printed in
  decimal and passed through rand.SafeEncodeString, which maps every digit to the same
  alphabet. We hash a canonical JSON of the template instead of Go's spew dump, so the
  value differs from a real cluster's but has the same form and the same behaviour (it
  changes exactly when the template changes).
"""

from __future__ import annotations

import hashlib
import json

ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
MAX_NAME_LENGTH = 63
RANDOM_LENGTH = 5
MAX_GENERATED_NAME_LENGTH = MAX_NAME_LENGTH - RANDOM_LENGTH


_FNV_PRIME = 0x01000193


def fnv32a(data: bytes) -> int:
    """FNV-1a, 32 bit. Four bytes per turn of the loop, masked once: the low 32 bits of a
    product depend only on the low 32 bits of its factors, and XOR with a byte only on the low 8."""
    h = 0x811C9DC5
    p = _FNV_PRIME
    whole = len(data) & ~3
    for a, b, c, d in zip(*[iter(data[:whole])] * 4, strict=False):
        h = ((((h ^ a) * p ^ b) * p ^ c) * p ^ d) * p & 0xFFFFFFFF
    for byte in data[whole:]:
        h = (h ^ byte) * p & 0xFFFFFFFF
    return h


def safe_encode_string(text: str) -> str:
    """k8s.io/apimachinery/pkg/util/rand.SafeEncodeString."""
    return "".join(ALPHANUMS[ord(c) % len(ALPHANUMS)] for c in text)


def pod_template_hash(template: dict, collision_count: int = 0) -> str:
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    if collision_count:
        data += str(collision_count).encode()
    return safe_encode_string(str(fnv32a(data)))


# Two characters per base-27 digit pair, least significant first, as random_suffix spells them.
_DIGIT_PAIRS = [ALPHANUMS[i % len(ALPHANUMS)] + ALPHANUMS[i // len(ALPHANUMS)] for i in range(len(ALPHANUMS) ** 2)]


def random_suffix(seed: str, length: int = RANDOM_LENGTH) -> str:
    digest = hashlib.blake2b(seed.encode(), digest_size=8).digest()
    n = int.from_bytes(digest, "big")
    if length == 5:  # the usual case, two digits a look-up
        pairs = len(_DIGIT_PAIRS)
        return (
            _DIGIT_PAIRS[n % pairs] + _DIGIT_PAIRS[(n // pairs) % pairs] + ALPHANUMS[(n // pairs**2) % len(ALPHANUMS)]
        )
    out = []
    for _ in range(length):
        n, r = divmod(n, len(ALPHANUMS))
        out.append(ALPHANUMS[r])
    return "".join(out)


def generate_name(prefix: str, seed: str) -> str:
    if len(prefix) > MAX_GENERATED_NAME_LENGTH:
        prefix = prefix[:MAX_GENERATED_NAME_LENGTH]
    return prefix + random_suffix(seed)


def make_uid(cluster_seed: str, serial: int) -> str:
    """A UUID-shaped uid (version 4 layout, as the apiserver's), from a hash of the cluster seed and serial."""
    h = hashlib.blake2b(f"{cluster_seed}/{serial}".encode(), digest_size=16).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


# The RFC 4122 variant nibble (10xx) from a hex digit's low two bits.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def stable_int(text: str) -> int:
    """A well-spread non-negative integer from text (for deterministic allocation probes)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
