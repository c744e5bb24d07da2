"""The operator's signing key (ECDSA P-256) and WACZ anonymous signatures.

Per the WACZ Signing and Verification spec (0.1.0, anonymous signature): the
signature is ECDSA P-256 with SHA-256 over the UTF-8 bytes of the ``hash`` string
of ``datapackage-digest.json``, base64 of the raw r||s (as WebCrypto makes it);
``publicKey`` is base64 of the DER SubjectPublicKeyInfo.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

CURVE_BYTES = 32


class SigningError(Exception):
    """The key is missing, unreadable or not an ECDSA P-256 key."""


def public_path(key_path: str | Path) -> Path:
    return Path(f"{key_path}.pub")


def keygen(key_path: str | Path) -> dict:
    """Create a key at ``key_path`` (mode 0600, never overwritten) and its public
    key beside it (``.pub``); returns the paths and the key's fingerprint."""
    key_path = Path(key_path)
    if key_path.exists():
        raise SigningError(f"{key_path} exists: not overwriting a signing key")
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    pub = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public_path(key_path).write_bytes(pub)
    return {
        "key": str(key_path),
        "public_key": str(public_path(key_path)),
        "fingerprint": fingerprint(public_key_b64(key)),
    }


def load_key(key_path: str | Path) -> ec.EllipticCurvePrivateKey:
    path = Path(key_path)
    if not path.is_file():
        raise SigningError(
            f"no signing key at {path}: create one with `prakerja-monitor evidence"
            " keygen` (path: evidence.signing_key in the configuration)"
        )
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"{path} is not a readable PEM private key: {exc}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != (
        "secp256r1"
    ):
        raise SigningError(f"{path} is not an ECDSA P-256 key")
    return key


def public_key_b64(key) -> str:
    public = key.public_key() if hasattr(key, "public_key") else key
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def fingerprint(public_b64: str) -> str:
    """SHA-256 of the DER public key, hex: how an operator names the key."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()


def sign(key: ec.EllipticCurvePrivateKey, text: str) -> str:
    der = key.sign(text.encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    raw = r.to_bytes(CURVE_BYTES, "big") + s.to_bytes(CURVE_BYTES, "big")
    return base64.b64encode(raw).decode()


def verify(public_b64: str, text: str, signature_b64: str) -> bool:
    """Whether ``signature_b64`` (raw r||s, or DER) signs ``text`` by the key."""
    try:
        public = serialization.load_der_public_key(base64.b64decode(public_b64))
        raw = base64.b64decode(signature_b64)
    except (ValueError, TypeError):
        return False
    if not isinstance(public, ec.EllipticCurvePublicKey):
        return False
    if len(raw) == 2 * CURVE_BYTES:
        raw = encode_dss_signature(
            int.from_bytes(raw[:CURVE_BYTES], "big"),
            int.from_bytes(raw[CURVE_BYTES:], "big"),
        )
    try:
        public.verify(raw, text.encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
