#!/usr/bin/env python3
"""Independent safetensors fixtures for Verigrid's engine tests.

The files are assembled byte by byte with struct/json and numpy, without any Verigrid code, so the Java
reader is checked against a second implementation of the format.

    make_safetensors_fixture.py make  OUT_DIR          writes the fixtures below into OUT_DIR
    make_safetensors_fixture.py check FILE EXPECTED    reads FILE and compares it with EXPECTED (json)

make writes:
  mixed.safetensors     F32, F16 and BF16 tensors (specials, subnormals, a scalar, an empty tensor, a
                        non-ASCII name), data laid out in reverse name order, header neither padded nor
                        compact, metadata
  mixed.expected.json   per tensor: source dtype, shape and the expected float32 bit patterns; metadata
  f16_all.safetensors   one F16 tensor [256, 256] holding all 65536 half bit patterns in order
  f16_all.expected.bin  their float32 values (numpy's float16 -> float32), little-endian

check reads any safetensors file (Verigrid's own writer output included) and verifies every tensor's
values widened to float32, bit for bit, and the metadata, against an expected json in the format above.
"""
import json
import random
import struct
import sys
from pathlib import Path

import numpy as np

SEED = 20240611


def f32_bits(values_f32):
    return [int(b) for b in np.asarray(values_f32, dtype=np.float32).view(np.uint32).ravel()]


def bf16_bits_to_f32_bits(bits_u16):
    # bfloat16 is, by definition, the top half of a float32.
    return [int(b) << 16 for b in np.asarray(bits_u16, dtype=np.uint16).ravel()]


def mixed_tensors(rng):
    """name -> (dtype, shape, raw little-endian bytes, expected float32 bits)."""
    tensors = {}

    w = np.array([1.5, -0.0, np.inf, 1e-45, 3.4028235e38, -7.25], dtype=np.float32).reshape(2, 3)
    w_bits = w.view(np.uint32).copy()
    w_bits.ravel()[1] = 0x7FC00001  # a quiet NaN with a payload
    w_bits.ravel()[5] = 0x80000000  # negative zero
    tensors["w_f32"] = ("F32", [2, 3], w_bits.astype("<u4").tobytes(), [int(b) for b in w_bits.ravel()])

    tensors["scalar_f32"] = ("F32", [], np.array(0.1, dtype="<f4").tobytes(), f32_bits([0.1]))

    b = np.array([0.1, -2.5, 65504.0, 6e-8, -np.inf, 0.0], dtype=np.float16)
    b_bits = b.view(np.uint16).copy()
    b_bits[5] = 0x7E01  # NaN with payload
    tensors["b_f16"] = ("F16", [6], b_bits.astype("<u2").tobytes(),
                        f32_bits(b_bits.view(np.float16).astype(np.float32)))

    r = np.array([rng.getrandbits(16) for _ in range(21)], dtype=np.uint16)
    tensors["rand_f16"] = ("F16", [3, 7], r.astype("<u2").tobytes(), f32_bits(r.view(np.float16).astype(np.float32)))

    e = np.array([0x3F80, 0xBFC0, 0x7F80, 0x0001, 0x8000, 0x7FC1] + [rng.getrandbits(16) for _ in range(6)],
                 dtype=np.uint16)
    tensors["e_bf16"] = ("BF16", [3, 2, 2], e.astype("<u2").tobytes(), bf16_bits_to_f32_bits(e))

    tensors["empty_f16"] = ("F16", [0, 4], b"", [])

    u = np.array([-1.0], dtype=np.float32)
    tensors["\u00fcnicode \u2713 name"] = ("F32", [1], u.astype("<f4").tobytes(), f32_bits(u))
    return tensors


def write_mixed(out_dir, rng):
    tensors = mixed_tensors(rng)
    metadata = {"format": "pt", "note": "g\u00e9n\u00e9r\u00e9 par numpy \u2713"}
    header = {"__metadata__": metadata}
    data = b""
    # Data in reverse name order: the reader must follow data_offsets, not the header's key order.
    for name in sorted(tensors, reverse=True):
        dtype, shape, raw, _ = tensors[name]
        header[name] = {"shape": shape, "dtype": dtype, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    # Not compact and not padded: another writer's choices, all valid.
    header_bytes = json.dumps(header, indent=1, ensure_ascii=True).encode("utf-8")
    (out_dir / "mixed.safetensors").write_bytes(struct.pack("<Q", len(header_bytes)) + header_bytes + data)
    expected = {
        "metadata": metadata,
        "tensors": {name: {"dtype": t[0], "shape": t[1], "f32_bits": t[3]} for name, t in sorted(tensors.items())},
    }
    (out_dir / "mixed.expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n",
                                                 encoding="utf-8")


def write_f16_all(out_dir):
    halves = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    raw = halves.astype("<u2").tobytes()
    header = json.dumps({"f16": {"dtype": "F16", "shape": [256, 256], "data_offsets": [0, len(raw)]}},
                        separators=(",", ":")).encode("utf-8")
    (out_dir / "f16_all.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + raw)
    (out_dir / "f16_all.expected.bin").write_bytes(halves.view(np.float16).astype("<f4").tobytes())


def read_safetensors(path):
    blob = Path(path).read_bytes()
    (n,) = struct.unpack_from("<Q", blob, 0)
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        raw = data[begin:end]
        if entry["dtype"] == "F32":
            bits = [int(b) for b in np.frombuffer(raw, dtype="<u4")]
        elif entry["dtype"] == "F16":
            bits = f32_bits(np.frombuffer(raw, dtype="<f2").astype(np.float32))
        elif entry["dtype"] == "BF16":
            bits = bf16_bits_to_f32_bits(np.frombuffer(raw, dtype="<u2"))
        else:
            raise ValueError(f"{path}: tensor {name!r} has dtype {entry['dtype']}")
        count = int(np.prod(entry["shape"], dtype=np.int64))
        if len(bits) != count:
            raise ValueError(f"{path}: tensor {name!r} has {len(bits)} values for shape {entry['shape']}")
        tensors[name] = (entry["shape"], bits)
    return tensors, metadata, n


def check(path, expected_path):
    tensors, metadata, header_length = read_safetensors(path)
    expected = json.loads(Path(expected_path).read_text(encoding="utf-8"))
    problems = []
    if metadata != expected["metadata"]:
        problems.append(f"metadata {metadata} != {expected['metadata']}")
    if sorted(tensors) != sorted(expected["tensors"]):
        problems.append(f"names {sorted(tensors)} != {sorted(expected['tensors'])}")
    for name, want in expected["tensors"].items():
        if name in tensors and tensors[name] != (want["shape"], want["f32_bits"]):
            problems.append(f"tensor {name!r} differs")
    if problems:
        print("\n".join(problems))
        return 1
    print(f"{path}: {len(tensors)} tensors and metadata match {expected_path} "
          f"(header {header_length} bytes{', 8-byte aligned' if header_length % 8 == 0 else ''})")
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "make":
        out_dir = Path(argv[2])
        out_dir.mkdir(parents=True, exist_ok=True)
        write_mixed(out_dir, random.Random(SEED))
        write_f16_all(out_dir)
        return 0
    if len(argv) == 4 and argv[1] == "check":
        return check(argv[2], argv[3])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
