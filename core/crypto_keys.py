"""Key derivation for development, importable from the settings (no Django imports)."""

import base64
import hashlib


def derived_key(secret: str, purpose: str) -> str:
    """A Fernet-shaped key derived from ``secret`` (development with DEBUG only: see settings)."""
    digest = hashlib.sha256(f"ashikaga-portal:{purpose}:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()
