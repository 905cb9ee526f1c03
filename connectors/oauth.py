"""OAuth 2.0 client-credentials tokens from Microsoft Entra ID through msal.

Used by the Graph connector and by IMAP XOAUTH2 against Microsoft 365. msal
caches the token and refreshes it before it expires; errors carry Entra's error
code and description, never the client secret.
"""

from __future__ import annotations

from collections.abc import Callable

import msal

from connectors.errors import LoginError, TransientError

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
OUTLOOK_IMAP_SCOPE = "https://outlook.office365.com/.default"


class ClientCredentialsToken:
    """A callable that returns a valid access token for one scope."""

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        client_secret: Callable[[], str],
        scope: str = GRAPH_SCOPE,
        authority_host: str = "https://login.microsoftonline.com",
    ) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.scope = scope
        self._client_secret = client_secret
        self._authority = f"{authority_host}/{tenant_id}"
        self._app: msal.ConfidentialClientApplication | None = None

    def _application(self) -> msal.ConfidentialClientApplication:
        if self._app is None:
            try:
                self._app = msal.ConfidentialClientApplication(
                    self.client_id,
                    authority=self._authority,
                    client_credential=self._client_secret(),
                )
            except ValueError as error:  # msal raises ValueError for an unknown tenant
                raise LoginError(f"Entra ID tenant {self.tenant_id!r}: {error}") from None
            except OSError as error:
                raise TransientError(f"Entra ID unreachable: {error}") from None
        return self._app

    def __call__(self) -> str:
        """The cached token, or a new one from Entra ID (RFC 6749 s4.4)."""
        try:
            result = self._application().acquire_token_for_client(scopes=[self.scope])
        except OSError as error:
            raise TransientError(f"Entra ID unreachable: {error}") from None
        token = result.get("access_token") if result else None
        if token:
            return str(token)
        code = (result or {}).get("error", "no_token")
        description = (result or {}).get("error_description", "").splitlines()
        raise LoginError(
            f"Entra ID refused a token for client {self.client_id!r} in tenant "
            f"{self.tenant_id!r}: {code}: {description[0] if description else ''}"
        )

    def invalidate(self) -> None:
        """Forget the cached token (after the resource server answered 401)."""
        self._app = None
