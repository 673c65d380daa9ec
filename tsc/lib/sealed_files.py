"""Files encrypted at rest with the PII keys (docs/adr/0002): uploaded 1099/W-2G files carry
full SSNs and TINs, so what lands on disk is never plaintext.

Format: a header (magic, version, key id, a random 8-byte nonce prefix), then chunks of up to
64 KiB of plaintext, each sealed with AES-256-GCM under the key named by the key id (so key
rotation works: a file written under an older key still opens while that key is listed). The
nonce of chunk i is prefix || i; the associated data binds the header, i and whether the chunk
is the last one, so a reordered, dropped, truncated or extended file fails to open.

`SealedFileSystemStorage` is a Django storage that seals on save and unseals on open, streaming
both ways: memory does not grow with the file. Files are written 0600 in directories 0700, to a
temporary name first and renamed into place.
"""

import io
import os
import secrets
import struct
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from django.core.files import File
from django.core.files.storage import FileSystemStorage

from . import pii

MAGIC = b"TSCSEAL1"
CHUNK = 64 * 1024
_TAG = 16
_LENGTH = struct.Struct(">I")


class SealedFileError(ValueError):
    """A sealed file was damaged, truncated, or sealed under a key no longer configured."""


def _header(kid: str, prefix: bytes) -> bytes:
    raw_kid = kid.encode("ascii")
    return MAGIC + bytes([len(raw_kid)]) + raw_kid + prefix


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">QB", index, 1 if last else 0)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def seal(chunks, out) -> int:
    """Write `chunks` (an iterable of bytes) sealed to the binary file `out`. Returns the
    plaintext size."""
    keys = pii._keys()
    kid = keys.current_kid
    cipher = keys.ciphers[kid]
    prefix = secrets.token_bytes(8)
    header = _header(kid, prefix)
    out.write(header)
    size = 0
    index = 0
    pending = b""

    def emit(data: bytes, last: bool) -> None:
        nonlocal index
        sealed = cipher.encrypt(_nonce(prefix, index), data, _aad(header, index, last))
        out.write(_LENGTH.pack(len(sealed)))
        out.write(sealed)
        index += 1

    for chunk in chunks:
        size += len(chunk)
        pending += chunk
        while len(pending) > CHUNK:
            emit(pending[:CHUNK], last=False)
            pending = pending[CHUNK:]
    emit(pending, last=True)  # always a final chunk, even empty: it marks the end
    return size


class _Unsealer(io.RawIOBase):
    """Reads a sealed binary file back as plaintext, one chunk in memory at a time."""

    def __init__(self, raw):
        self._raw = raw
        magic = raw.read(len(MAGIC))
        if magic != MAGIC:
            raise SealedFileError("not a sealed file")
        kid_len = raw.read(1)
        if not kid_len:
            raise SealedFileError("truncated header")
        kid = raw.read(kid_len[0]).decode("ascii", "replace")
        self._prefix = raw.read(8)
        if len(self._prefix) != 8:
            raise SealedFileError("truncated header")
        self._cipher = pii._keys().ciphers.get(kid)
        if self._cipher is None:
            raise SealedFileError("sealed under a key that is not configured (TSC_PII_KEYS)")
        self._header = _header(kid, self._prefix)
        self._index = 0
        self._buffer = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        length = self._raw.read(_LENGTH.size)
        if len(length) != _LENGTH.size:
            raise SealedFileError("the file is truncated")
        (size,) = _LENGTH.unpack(length)
        if size < _TAG or size > CHUNK + _TAG:
            raise SealedFileError("the file is damaged")
        sealed = self._raw.read(size)
        if len(sealed) != size:
            raise SealedFileError("the file is truncated")
        nonce = _nonce(self._prefix, self._index)
        for last in (False, True):
            try:
                self._buffer = self._cipher.decrypt(nonce, sealed, _aad(self._header, self._index, last))
            except InvalidTag:
                continue
            self._index += 1
            if last:
                self._done = True
                if self._raw.read(1):
                    raise SealedFileError("the file has data after its last chunk")
            return
        raise SealedFileError("the file is damaged or was tampered with")

    def readinto(self, target) -> int:
        while not self._buffer and not self._done:
            self._next_chunk()
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_sealed(path) -> io.BufferedReader:
    return io.BufferedReader(_Unsealer(open(path, "rb")), buffer_size=CHUNK)  # noqa: SIM115 - returned


def is_sealed(path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


class SealedFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose files are sealed at rest (see the module docstring). Reading a
    file that predates sealing (no magic) is refused: `manage.py seal_uploads` seals those."""

    def _save(self, name, content):
        full = Path(self.path(name))
        folder = Path(self.location)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for part in full.parent.relative_to(folder).parts:
            folder = folder / part
            folder.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=full.parent, prefix=".sealing-")  # created 0600
        try:
            with os.fdopen(fd, "wb") as out:
                content.seek(0) if hasattr(content, "seek") else None
                seal(content.chunks(CHUNK), out)
                out.flush()
                os.fsync(out.fileno())
            name = self.get_available_name(name)
            os.replace(tmp, self.path(name))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return str(name).replace("\\", "/")

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("sealed files are written through save()")
        return File(open_sealed(self.path(name)), name)


def upload_storage() -> SealedFileSystemStorage:
    """The storage of uploaded files (callable, so settings are read when it is used)."""
    from django.conf import settings

    return SealedFileSystemStorage(location=Path(settings.VAR_DIR) / "uploads", directory_permissions_mode=0o700)
