#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Reads json_sample's output with Python's strict JSON parser and compares each value."""
import json
import sys

raw = sys.stdin.buffer.read()
text = raw.decode("utf-8")  # strict: the writer must emit valid UTF-8 only
assert text.endswith("\n") and text.count("\n") == 1, "one line"
doc = json.loads(text)
R = "\ufffd"
want_strings = [
    "",
    "plain",
    'quote " backslash \\ slash /',
    "nl\ncr\rtab\tbs\bff\f",
    "\x01\x02\x1f\x7f",
    "nul\0in",
    "caf\u00e9 \u20ac \U0001F600",
    "bad" + R + R,
    R * 3,
    R * 2,
    "cut" + R + R,
]
assert doc["strings"] == want_strings, doc["strings"]
assert doc["numbers"] == [-(2**63), 2**64 - 1, 12.345, 1e-7, 1e300, -0.5], doc["numbers"]
assert doc["nested"] == [{}, [None, True]], doc["nested"]
assert doc["keys"] == {'a"b\n\u00e9' + R: 1}, doc["keys"]
print("json: %d strings, numbers, nesting and keys read back as written" % len(want_strings))
