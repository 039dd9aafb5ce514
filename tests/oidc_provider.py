"""A real OpenID Connect provider on a loopback port, built from Authlib's server components.

It serves what a provider such as Azure AD or Keycloak does for the authorization code
flow: a discovery document, its signing keys (JWKS), an authorization endpoint and a token
endpoint that checks the client's secret, the code, the redirect URI and the PKCE verifier,
and issues an RS256-signed ID token with the nonce it was given. Nothing is mocked: the
tracker talks to it over HTTP as it would to a real one.

Tests say who is signed in at the provider (``identity``), since a real provider would
have asked them for a password, and can ask it to misbehave: issue an expired ID token
(``mode = "expired"``), one signed for another sign-in's nonce (``"other_nonce"``), or
alter one after signing it (``"tampered"``).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from joserfc.util import json_b64encode, urlsafe_b64decode
from werkzeug.serving import make_server

from tests.conftest import free_port


@dataclass
class Client:
    """The tracker, as registered at the provider."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code:
    """An authorization code, with what it was issued for."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    identity: dict
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class OIDCProvider:
    """The provider; ``start()`` serves it on 127.0.0.1 in a thread, ``stop()`` ends it."""

    def __init__(self, client_id: str = "tracker", client_secret: str | None = None):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.redirect_uris: list[str] = []
        self.key = RSAKey.generate_key(2048, parameters={"kid": "provider-key-1", "use": "sig", "alg": "RS256"})
        self.identity: dict = {}
        self.mode = "normal"  # or "expired", "other_nonce", "tampered"
        self.codes: dict[str, Code] = {}
        self.authorize_requests: list[dict] = []
        self.token_requests: list[dict] = []
        self.app = self._make_app()
        self._server = None
        self._thread = None

    # --- what tests set
    def sign_in_as(self, email: str, *, verified: bool = True, subject: str | None = None, **claims) -> None:
        """Who the provider says is signed in there, as a real provider would after its own login."""
        self.identity = {"sub": subject or f"sub-{email}", "email": email, "email_verified": verified, **claims}

    def register_redirect_uri(self, uri: str) -> None:
        self.redirect_uris.append(uri)

    # --- serving
    def start(self) -> OIDCProvider:
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    def settings(self) -> dict:
        """The tracker's configuration for this provider (keys as in ``tracker.config``)."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": self.client_id,
                "OIDC_CLIENT_SECRET": self.client_secret, "OIDC_PROVIDER_NAME": "Loopback ID"}

    def environment(self) -> dict:
        """The same settings as ``TRACKER_*`` environment variables, for a server process."""
        return {f"TRACKER_{key}": str(value) for key, value in self.settings().items()}

    # --- the provider itself
    def _make_app(self) -> Flask:
        provider = self
        app = Flask("oidc_provider")
        app.config["SECRET_KEY"] = secrets.token_hex(16)

        def query_client(client_id):
            if client_id != provider.client_id:
                return None
            return Client(provider.client_id, provider.client_secret, provider.redirect_uris)

        server = AuthorizationServer(app, query_client=query_client, save_token=lambda token, req: None)

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")

            def save_authorization_code(self, code, req):
                data = req.payload.data
                provider.codes[code] = Code(
                    code=code, client_id=req.client.get_client_id(), redirect_uri=req.payload.redirect_uri,
                    scope=req.payload.scope, nonce=data.get("nonce"), code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"), identity=dict(req.user),
                )

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                return found if found and found.client_id == client.get_client_id() else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.identity

        class IDTokens(OpenIDCode):
            def exists_nonce(self, nonce, req):
                return any(code.nonce == nonce for code in provider.codes.values())

            def get_authorization_code_claims(self, authorization_code):
                claims = super().get_authorization_code_claims(authorization_code)
                if provider.mode == "other_nonce":  # a token issued for another sign-in, replayed
                    claims["nonce"] = "a-nonce-of-another-sign-in"
                return claims

            def resolve_client_private_key(self, client):
                return provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": provider.key.kid}

            def get_client_claims(self, client):
                now = int(time.time())
                # An expired token: issued two hours ago, valid for one (beyond any leeway).
                if provider.mode == "expired":
                    return {"iss": provider.issuer, "aud": [client.get_client_id()], "iat": now - 7200,
                            "exp": now - 3600, "auth_time": now - 7200}
                return {"iss": provider.issuer, "aud": [client.get_client_id()], "exp": now + 600}

            def generate_user_info(self, user, scope):
                return dict(user)

        server.register_grant(CodeGrant, [IDTokens(require_nonce=True), CodeChallenge(required=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify({
                "issuer": provider.issuer,
                "authorization_endpoint": f"{provider.issuer}/authorize",
                "token_endpoint": f"{provider.issuer}/token",
                "jwks_uri": f"{provider.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": ["sub", "email", "email_verified"],
            })

        @app.get("/jwks")
        def jwks():
            return jsonify({"keys": [provider.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize():
            provider.authorize_requests.append(dict(request.args))
            # The person is signed in at the provider already (``sign_in_as``) and consents.
            user = provider.identity or None
            try:
                grant = server.get_consent_grant(end_user=user)
            except OAuth2Error as error:
                return server.handle_error_response(None, error)
            return server.create_authorization_response(grant=grant, grant_user=user)

        @app.post("/token")
        def token():
            provider.token_requests.append(dict(request.form))
            response = server.create_token_response()
            if provider.mode == "tampered" and response.status_code == 200:
                body = response.get_json()
                body["id_token"] = _tampered(body["id_token"])
                response.set_data(jsonify(body).get_data())
            return response

        return app


def _tampered(id_token: str) -> str:
    """The token with its payload changed after signing: someone else's email, same signature."""
    import json

    header, payload, signature = id_token.split(".")
    claims = json.loads(urlsafe_b64decode(payload.encode()))
    claims["email"] = "intruder@example.org"
    return ".".join([header, json_b64encode(claims).decode(), signature])
