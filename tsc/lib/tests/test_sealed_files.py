"""Files sealed at rest: round trip in chunks, key rotation, and refusal of anything damaged."""

import base64
import io
import os

import pytest

from tsc.lib import sealed_files
from tsc.lib.sealed_files import CHUNK, SealedFileError, open_sealed, seal

KEY_A, KEY_B = b"a" * 32, b"b" * 32


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture
def keys(settings):
    settings.TSC_PII_KEYS = f"k1:{b64(KEY_A)}"
    settings.TSC_PII_INDEX_KEY = b64(b"i" * 32)
    return settings


def sealed(tmp_path, data: bytes, name="f.sealed"):
    path = tmp_path / name
    with open(path, "wb") as out:
        seal([data[i : i + 1000] for i in range(0, len(data), 1000)] or [b""], out)
    return path


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_what_goes_in_comes_out(keys, tmp_path, size):
    data = os.urandom(size)
    path = sealed(tmp_path, data)
    if size >= 32:  # a shorter random string may turn up in the ciphertext by chance
        assert data[:32] not in path.read_bytes()
    with open_sealed(path) as stream:
        assert stream.read() == data


def test_lines_can_be_read_one_at_a_time(keys, tmp_path):
    text = b"".join(f"line {n}\r\n".encode() for n in range(20000))
    with open_sealed(sealed(tmp_path, text)) as stream:
        lines = list(iter(lambda: stream.readline(800), b""))
    assert b"".join(lines) == text and len(lines) == 20000


def test_a_file_sealed_under_the_old_key_opens_after_rotation(keys, tmp_path):
    path = sealed(tmp_path, b"123-45-6789 payee")
    keys.TSC_PII_KEYS = f"k2:{b64(KEY_B)},k1:{b64(KEY_A)}"  # k2 encrypts now, k1 still decrypts
    with open_sealed(path) as stream:
        assert stream.read() == b"123-45-6789 payee"
    newer = sealed(tmp_path, b"new", "g.sealed")
    assert b"k2" in newer.read_bytes()[:16]
    keys.TSC_PII_KEYS = f"k2:{b64(KEY_B)}"  # k1 retired
    with pytest.raises(SealedFileError, match="key"):
        open_sealed(path)


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[:-5],  # truncated inside the last chunk
        lambda raw: raw[: len(raw) - (CHUNK // 2)],  # a whole chunk and more gone
        lambda raw: raw[:40] + bytes([raw[40] ^ 1]) + raw[41:],  # one bit flipped
        lambda raw: raw + b"extra",  # extended
    ],
    ids=["truncated", "chunk-dropped", "bit-flipped", "extended"],
)
def test_damage_is_detected(keys, tmp_path, damage):
    path = sealed(tmp_path, os.urandom(2 * CHUNK + 100))
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(SealedFileError), open_sealed(path) as stream:
        stream.read()


def test_chunks_cannot_be_reordered(keys, tmp_path):
    path = sealed(tmp_path, b"A" * CHUNK + b"B" * CHUNK + b"C")
    raw = path.read_bytes()
    header = len(sealed_files.MAGIC) + 1 + 2 + 8
    size = 4 + CHUNK + 16
    first, second = raw[header : header + size], raw[header + size : header + 2 * size]
    path.write_bytes(raw[:header] + second + first + raw[header + 2 * size :])
    with pytest.raises(SealedFileError), open_sealed(path) as stream:
        stream.read()


def test_a_plaintext_file_is_not_opened_as_sealed(keys, tmp_path):
    path = tmp_path / "plain.txt"
    path.write_bytes(b"T2025...")
    with pytest.raises(SealedFileError, match="not a sealed file"):
        open_sealed(path)
    assert io  # noqa: B018
