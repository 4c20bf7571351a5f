package org.communitysso.gateway.connector.saml;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import io.quarkus.runtime.LaunchMode;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.connector.ConfigProblems;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorFactory;
import org.communitysso.gateway.connector.ConnectorSettings;
import org.communitysso.gateway.connector.ReplayGuard;
import org.jboss.logging.Logger;

/** Validates {@code gateway.connectors.<id>.saml.*} and builds {@link SamlConnector}s. */
@ApplicationScoped
public class SamlConnectorFactory implements ConnectorFactory {

    /**
     * Unused here: Quarkus registers a {@code @ConfigMapping} (and so accepts its
     * keys) only where one is injected. The factory reads it through {@link Context}.
     */
    @Inject
    SamlConfig keys;

    /** {@code /auth/saml/return}: responses may be addressed there too. */
    static final String RETURN_ALIAS = "saml";

    private static final Logger LOG = Logger.getLogger(SamlConnectorFactory.class);

    private final ReplayGuard replayGuard;
    private final TimeSource time;
    /** Where dev mode keeps generated SP keys; null in every other profile, where the key must be configured. */
    private final Path devKeyDirectory;

    @Inject
    public SamlConnectorFactory(ReplayGuard replayGuard, TimeSource time) {
        this(replayGuard, time, LaunchMode.current() == LaunchMode.DEVELOPMENT ? Path.of("target", "dev-saml") : null);
    }

    SamlConnectorFactory(ReplayGuard replayGuard, TimeSource time, Path devKeyDirectory) {
        this.replayGuard = replayGuard;
        this.time = time;
        this.devKeyDirectory = devKeyDirectory;
    }

    @Override
    public String type() {
        return "saml2";
    }

    @Override
    public String returnAlias() {
        return RETURN_ALIAS;
    }

    @Override
    public Class<?> configMapping() {
        return SamlConfig.class;
    }

    @Override
    public Connector create(ConnectorSettings settings, Context context, ConfigProblems problems) {
        String id = settings.id();
        SamlConfig.Keys saml = context.mapping(SamlConfig.class).connectors().get(id).saml();
        int before = problems.all().size();

        IdpMetadata metadata = null;
        IdpMetadataSource metadataSource = null;
        if (saml.idpMetadataUrl().filter(s -> !s.isBlank()).isPresent()) {
            Optional<URI> url = problems.httpUrl(id, "saml.idp-metadata-url", saml.idpMetadataUrl(), true);
            if (saml.idpMetadataRefresh().toMinutes() < 1) {
                problems.add(id, "saml.idp-metadata-refresh", "must be at least 1 minute");
            } else if (url.isPresent()) {
                Path cache = saml.idpMetadataCache().filter(s -> !s.isBlank()).map(Path::of)
                        .orElse(Path.of(System.getProperty("java.io.tmpdir"), "community-sso-gateway", "saml-metadata",
                                id + ".xml"));
                try {
                    metadataSource = IdpMetadataSource.load(id, url.get(), cache, saml.idpMetadataRefresh(),
                            context.common().connectTimeout().plus(context.common().readTimeout()), time);
                    metadata = metadataSource.current();
                } catch (IllegalArgumentException e) {
                    problems.add(id, "saml.idp-metadata-url", e.getMessage() + " (and no usable cached copy at "
                            + cache + ")");
                }
            }
        }
        List<PublicKey> idpKeys = new ArrayList<>();
        if (saml.idpCertificate().filter(s -> !s.isBlank()).isPresent()) {
            try {
                SamlKeys.certificates(saml.idpCertificate().get()).forEach(c -> idpKeys.add(c.getPublicKey()));
            } catch (IllegalArgumentException e) {
                problems.add(id, "saml.idp-certificate", e.getMessage());
            }
        } else if (metadata != null) {
            metadata.signingCertificates().forEach(c -> idpKeys.add(c.getPublicKey()));
        } else if (saml.idpMetadataUrl().isEmpty()) {
            problems.add(id, "saml.idp-certificate", "is required (or saml.idp-metadata-url)");
        }

        IdpMetadata meta = metadata;
        String idpEntityId = saml.idpEntityId().filter(s -> !s.isBlank()).map(String::trim)
                .orElse(meta == null ? null : meta.entityId());
        if (idpEntityId == null || idpEntityId.isBlank()) {
            problems.add(id, "saml.idp-entity-id", "is required");
        }
        String spEntityId = problems.required(id, "saml.sp-entity-id", saml.spEntityId());
        Optional<String> ssoSetting = saml.ssoUrl().filter(s -> !s.isBlank())
                .or(() -> Optional.ofNullable(meta == null ? null : meta.ssoRedirect() != null ? meta.ssoRedirect()
                        : meta.ssoPost()));
        Optional<URI> ssoUrl = problems.httpUrl(id, "saml.sso-url", ssoSetting, true);
        Optional<String> sloSetting = saml.sloUrl().filter(s -> !s.isBlank())
                .or(() -> Optional.ofNullable(meta == null ? null : meta.sloRedirect()));
        Optional<URI> sloUrl = problems.httpUrl(id, "saml.slo-url", sloSetting, false);

        String binding = saml.binding().trim().toLowerCase(Locale.ROOT);
        if (!binding.equals("post") && !binding.equals("redirect")) {
            problems.add(id, "saml.binding", "must be post or redirect");
        }
        SamlSignatures.Algorithm algorithm = null;
        try {
            algorithm = SamlSignatures.Algorithm.valueOf(saml.signatureAlgorithm().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add(id, "saml.signature-algorithm", "must be sha1, sha256 or sha512");
        }
        if (saml.clockSkew().isNegative() || saml.clockSkew().toMinutes() > 10) {
            problems.add(id, "saml.clock-skew", "must be between 0 and 10 minutes");
        }

        KeyPair spKeys = null;
        X509Certificate spCertificate = null;
        if (saml.spPrivateKey().isPresent() != saml.spCertificate().isPresent()) {
            problems.add(id, saml.spPrivateKey().isPresent() ? "saml.sp-certificate" : "saml.sp-private-key",
                    "set saml.sp-private-key and saml.sp-certificate together");
        } else if (saml.spPrivateKey().isPresent()) {
            try {
                PrivateKey privateKey = SamlKeys.privateKey(saml.spPrivateKey().get());
                spCertificate = SamlKeys.certificates(saml.spCertificate().get()).get(0);
                spKeys = new KeyPair(spCertificate.getPublicKey(), privateKey);
            } catch (IllegalArgumentException e) {
                problems.add(id, "saml.sp-private-key", e.getMessage());
            }
        }
        if (devKeyDirectory != null && saml.spPrivateKey().isEmpty() && saml.spCertificate().isEmpty()) {
            DevSpKeys.Loaded dev = DevSpKeys.loadOrCreate(devKeyDirectory, id);
            spKeys = dev.keys();
            spCertificate = dev.certificate();
            LOG.warnf("saml connector %s: no saml.sp-private-key configured, so dev mode uses a %s SP key pair "
                    + "kept in %s; configure a real key outside dev", id, dev.generated() ? "newly generated" : "generated",
                    dev.file());
        }
        if (saml.signRequests() && spKeys == null && saml.spPrivateKey().isEmpty()) {
            problems.add(id, "saml.sp-private-key", "is required when saml.sign-requests=true");
        }
        if (problems.all().size() > before) {
            return null;
        }
        SamlSignatures signatures = new SamlSignatures(idpKeys, algorithm == SamlSignatures.Algorithm.SHA1);
        if (metadataSource != null && saml.idpCertificate().filter(s -> !s.isBlank()).isEmpty()) {
            metadataSource.feedKeysTo(signatures);
        }
        SamlConnector.Settings validated = new SamlConnector.Settings(idpEntityId, ssoUrl.get(), sloUrl, spEntityId,
                binding.equals("post"), saml.nameIdFormat().trim(), saml.signRequests(), algorithm,
                saml.allowIdpInitiated(), saml.clockSkew(), signatures, spKeys, spCertificate, metadataSource);
        SamlConnector.Routes routes = new SamlConnector.Routes(context.routes().returnPath(id),
                context.routes().sharedReturnPath(RETURN_ALIAS), context.routes().endpointPath(id, "saml/slo"));
        return new SamlConnector(settings, validated, routes, replayGuard, time);
    }
}
