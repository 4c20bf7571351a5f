package org.communitysso.gateway.connector.saml;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithDefaults;
import io.smallrye.config.WithParentName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** {@code gateway.connectors.<id>.saml.*}: the SPEC 10 names, plus the SP's own key and the clock skew. */
@ConfigMapping(prefix = "gateway.connectors")
public interface SamlConfig {

    /** By connector id; an id without any of these keys reads the defaults. */
    @WithParentName
    @WithDefaults
    Map<String, Entry> connectors();

    interface Entry {
        Keys saml();
    }

    interface Keys {
        Optional<String> idpEntityId();

        Optional<String> ssoUrl();

        Optional<String> sloUrl();

        /** PEM; several certificates for a rollover. */
        Optional<String> idpCertificate();

        /** The IdP's certificates (and SSO/SLO URLs when not set), refreshed on a schedule. */
        Optional<String> idpMetadataUrl();

        /** How often the metadata is fetched again (sooner when its cacheDuration or validUntil asks). */
        @WithDefault("6H")
        Duration idpMetadataRefresh();

        /**
         * Where the last good metadata is saved, for a start-up while the URL is down.
         * Default: {@code <java.io.tmpdir>/community-sso-gateway/saml-metadata/<id>.xml}.
         */
        Optional<String> idpMetadataCache();

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
