"""Protecting files that leave the system with the password the person chose, and handing that password to a
background job without writing it down.

- `encrypt_xlsx`: an XLSX encrypted with ECMA-376 agile encryption (AES-256), which Excel and LibreOffice open after
  asking for the password; made by msoffcrypto-tool.
- `encrypt_zip`: for files that cannot be encrypted themselves (CSV): a ZIP whose members are encrypted with WinZip
  AES-256 (pyzipper), which 7-Zip, WinRAR, WinZip, macOS and recent Windows open after asking for the password.
- `seal` / `unseal`: the password travels to the job runner as a token encrypted and authenticated (Fernet) with a key
  derived from SECRET_KEY, which expires after `SEALED_MAX_AGE`; the runner removes it from the job as soon as it has
  read it. A copy of the database alone therefore never reveals an export password.
- `encrypt_file` / `decrypt_file`: a whole file (a backup archive) under a passphrase, in chunks (see below).
"""

import base64
import io
import os

import pyzipper
from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.utils.crypto import salted_hmac
from msoffcrypto.format.ooxml import OOXMLFile

SEALED_MAX_AGE = 6 * 3600  # seconds a sealed password stays usable (a queued export waits at most this long)


class SealExpired(Exception):
    """The sealed password is too old, or was not sealed with this server's SECRET_KEY."""


def encrypt_xlsx(xlsx: bytes, password: str) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx)).encrypt(password, out)
    return out.getvalue()


def encrypt_zip(members: dict[str, bytes], password: str) -> bytes:
    """A ZIP of `members` ({name in the archive: content}), each encrypted with AES-256 under `password`."""
    out = io.BytesIO()
    with pyzipper.AESZipFile(out, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(password.encode("utf-8"))
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _fernet() -> Fernet:
    key = salted_hmac("treem.core.protect.seal", "export password", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(token: str, max_age: int = SEALED_MAX_AGE) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii"), ttl=max_age).decode("utf-8")
    except InvalidToken:
        raise SealExpired from None


# -- whole files under a passphrase (backups) ------------------------------------------------------------------------
# A backup can be larger than memory, so it is encrypted in chunks: AES-256-GCM under a key derived from the
# passphrase with scrypt, each chunk's nonce carrying its number and whether it is the last one (the "STREAM"
# construction), so a chunk changed, removed, reordered or cut off at the end makes decryption fail.

STREAM_MAGIC = b"TREEMEN1"
STREAM_CHUNK = 1024 * 1024
_SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P = 15, 8, 1  # 32 MiB of memory per try: slow to guess, fine to run


class WrongPassphrase(Exception):
    """The passphrase is wrong, or the encrypted file was changed or cut short."""


def _stream_key(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> AESGCM:
    key = Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return AESGCM(key)


def _chunk_nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def is_encrypted_file(path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(STREAM_MAGIC)) == STREAM_MAGIC


def encrypt_file(source, target, passphrase: str) -> None:
    """Encrypt the file at `source` into a new file at `target` (readable only by its owner)."""
    salt, prefix = os.urandom(16), os.urandom(7)
    header = STREAM_MAGIC + bytes([_SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P]) + salt + prefix
    aead = _stream_key(passphrase, salt, _SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
        dst.write(header)
        chunk, counter = src.read(STREAM_CHUNK), 0
        while True:
            following = src.read(STREAM_CHUNK)
            last = not following
            dst.write(aead.encrypt(_chunk_nonce(prefix, counter, last), chunk, header))
            if last:
                return
            chunk, counter = following, counter + 1


def decrypt_file(source, target, passphrase: str) -> None:
    """Decrypt `source` into a new file at `target`; WrongPassphrase (and `target` removed) if it does not open.
    Use `target` only once this returns: the last chunk is what proves the file whole."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
            header = src.read(len(STREAM_MAGIC) + 3 + 16 + 7)
            if len(header) < len(STREAM_MAGIC) + 26 or not header.startswith(STREAM_MAGIC):
                raise WrongPassphrase
            log2_n, r, p = header[8], header[9], header[10]
            salt, prefix = header[11:27], header[27:34]
            aead = _stream_key(passphrase, salt, log2_n, r, p)
            size = STREAM_CHUNK + 16  # each chunk carries its 16-byte tag
            chunk, counter = src.read(size), 0
            while True:
                following = src.read(size)
                last = not following
                dst.write(aead.decrypt(_chunk_nonce(prefix, counter, last), chunk, header))
                if last:
                    return
                chunk, counter = following, counter + 1
    except (InvalidTag, ValueError):
        os.unlink(target)
        raise WrongPassphrase from None
    except WrongPassphrase:
        os.unlink(target)
        raise
