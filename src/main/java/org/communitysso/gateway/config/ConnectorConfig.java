package org.communitysso.gateway.config;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** {@code gateway.connectors.<id>.*}: what every connector has, plus one group per protocol. */
public interface ConnectorConfig {

    /** jwt | oidc | oauth2 | saml2 | facebook */
    String type();

    Optional<String> label();

    Optional<String> icon();

    @WithDefault("true")
    boolean enabled();

    /** Usable through its own URL only, hidden from the sign-in page. */
    @WithDefault("false")
    boolean testing();

    /** Link to an existing account with the same email (the IdP verifies emails). */
    @WithDefault("false")
    boolean trustEmail();

    Optional<String> signOnUrl();

    Optional<String> signOffUrl();

    // oidc / oauth2 / facebook (SPEC 10)
    Optional<String> clientId();

    Optional<String> clientSecret();

    Optional<String> scope();

    Optional<String> issuer();

    Optional<String> authorizationUrl();

    Optional<String> tokenUrl();

    Optional<String> userInfoUrl();

    Optional<String> jwksUrl();

    Optional<String> endSessionUrl();

    /** Calls the gateway makes to the IdP (token, profile, keys) give up after these. */
    @WithDefault("5S")
    Duration connectTimeout();

    @WithDefault("10S")
    Duration readTimeout();

    ConnectorSessionConfig session();

    /** field (id, username, email, custom-roles, avatar, groups) to claim / attribute / dotted path. */
    Map<String, String> mapping();

    /** IdP group to comma-separated community role ids. */
    Map<String, String> roleMapping();

    JwtConfig jwt();

    OAuth2Config oauth2();

    FacebookConfig facebook();

    OidcConfig oidc();

    SamlConfig saml();

    interface ConnectorSessionConfig {
        Optional<Duration> inactivityTimeout();

        Optional<Duration> absoluteLifetime();
    }

    interface JwtConfig {
        Optional<String> publicKey();

        Optional<String> jwksUrl();

        Optional<String> sharedSecret();

        Optional<String> algorithms();

        Optional<String> issuer();

        Optional<String> audience();

        @WithDefault("5M")
        Duration maxAge();

        @WithDefault("30S")
        Duration clockSkew();

        /** Minimum time between two JWKS fetches triggered by an unknown kid. */
        @WithDefault("30S")
        Duration jwksRefetchInterval();

        /** Accept a token without a sign-on started at the gateway (IdP-initiated); false stops login CSRF. */
        @WithDefault("true")
        boolean allowUnsolicited();
    }

    interface OAuth2Config {
        /** GET or POST for the profile (user-info) request. */
        @WithDefault("GET")
        String profileMethod();

        /** basic (HTTP Basic) or post (client id and secret in the form body) at the token endpoint. */
        @WithDefault("basic")
        String clientAuthentication();

        /** Extra parameters for the authorization request, e.g. {@code extra-parameters.audience=community}. */
        Map<String, String> extraParameters();

        /** Send a PKCE S256 code challenge (providers that do not know PKCE ignore it). */
        @WithDefault("true")
        boolean pkce();
    }

    interface FacebookConfig {
        @WithDefault("v23.0")
        String graphApiVersion();

        /** Base of the Graph API (token and profile calls); a stand-in's URL in tests. */
        @WithDefault("https://graph.facebook.com")
        String graphApiUrl();

        /** Base of the login dialog the member is sent to. */
        @WithDefault("https://www.facebook.com")
        String dialogUrl();

        @WithDefault("id,name,email,picture.type(large)")
        String fields();
    }

    interface OidcConfig {
        @WithDefault("30S")
        Duration clockSkew();

        /** Minimum time between two JWKS fetches triggered by an unknown kid. */
        @WithDefault("30S")
        Duration jwksRefetchInterval();

        /** Signature algorithms accepted on ID and logout tokens (asymmetric only). */
        @WithDefault("RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512")
        String algorithms();

        /** Call the userinfo endpoint (configured or discovered) and merge its claims. */
        @WithDefault("true")
        boolean userInfo();

        /** A back-channel logout token older than this (by iat) is refused. */
        @WithDefault("5M")
        Duration logoutTokenMaxAge();
    }

    /** {@code saml.*}: the SPEC 10 names, plus the SP's own key and the clock skew. */
    interface SamlConfig {
        Optional<String> idpEntityId();

        Optional<String> ssoUrl();

        Optional<String> sloUrl();

        /** PEM; several certificates for a rollover. */
        Optional<String> idpCertificate();

        /** Read at start-up for the IdP's certificates (and SSO/SLO URLs when not set). */
        Optional<String> idpMetadataUrl();

        Optional<String> spEntityId();

        /** post | redirect: how the AuthnRequest travels to the IdP. */
        @WithDefault("redirect")
        String binding();

        @WithDefault("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified")
        String nameIdFormat();

        @WithDefault("false")
        boolean signRequests();

        /** sha1 | sha256 | sha512: for our requests; sha1 is accepted from the IdP only when set here. */
        @WithDefault("sha256")
        String signatureAlgorithm();

        @WithDefault("false")
        boolean allowIdpInitiated();

        @WithDefault("60S")
        Duration clockSkew();

        /** The SP's private key (PEM PKCS#8): signs requests, decrypts assertions. */
        Optional<String> spPrivateKey();

        /** The SP's certificate (PEM) published in the metadata. */
        Optional<String> spCertificate();
    }
}
