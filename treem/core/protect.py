"""Protecting files that leave the system with the password the person chose, and handing that password to a
background job without writing it down.

- `encrypt_xlsx`: an XLSX encrypted with ECMA-376 agile encryption (AES-256), which Excel and LibreOffice open after
  asking for the password; made by msoffcrypto-tool.
- `encrypt_zip`: for files that cannot be encrypted themselves (CSV): a ZIP whose members are encrypted with WinZip
  AES-256 (pyzipper), which 7-Zip, WinRAR, WinZip, macOS and recent Windows open after asking for the password.
- `seal` / `unseal`: the password travels to the job runner as a token encrypted and authenticated (Fernet) with a key
  derived from SECRET_KEY, which expires after `SEALED_MAX_AGE`; the runner removes it from the job as soon as it has
  read it. A copy of the database alone therefore never reveals an export password.
"""

import base64
import io

import pyzipper
from cryptography.fernet import Fernet, InvalidToken
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
