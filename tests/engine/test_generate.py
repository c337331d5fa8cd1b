"""Generated names, template hashes and uids (simulator/engine/generate.py)."""

from __future__ import annotations

import hashlib

from simulator.engine.apiserver import generate


def test_generated_suffixes_and_hashes_match_their_plain_definitions():
    """random_suffix's table look-up and fnv32a's unrolled loop give what the one-digit-at-a-time
    and one-byte-at-a-time definitions give."""

    def suffix(seed, length):
        n = int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=8).digest(), "big")
        out = []
        for _ in range(length):
            n, r = divmod(n, len(generate.ALPHANUMS))
            out.append(generate.ALPHANUMS[r])
        return "".join(out)

    def fnv(data):
        h = 0x811C9DC5
        for byte in data:
            h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
        return h

    for i in range(2000):
        seed = f"kubeviz/uid-{i}/{i * 7}"
        assert generate.random_suffix(seed) == suffix(seed, 5)
        assert generate.random_suffix(seed, 3) == suffix(seed, 3)
        data = seed.encode() * (i % 5)
        assert generate.fnv32a(data) == fnv(data)
