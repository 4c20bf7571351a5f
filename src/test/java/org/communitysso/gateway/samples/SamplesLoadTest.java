package org.communitysso.gateway.samples;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorFactory;
import org.communitysso.gateway.connector.facebook.FacebookConnectorFactory;
import org.communitysso.gateway.connector.jwt.JwtConnectorFactory;
import org.communitysso.gateway.connector.oauth2.OAuth2ConnectorFactory;
import org.communitysso.gateway.connector.oidc.OidcConnectorFactory;
import org.communitysso.gateway.connector.saml.SamlConnectorFactory;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.communitysso.gateway.testing.InMemoryReplayGuard;
import org.communitysso.gateway.testing.SamlTestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every connector configuration in {@code samples/} builds as start-up builds it,
 * with the environment variables it names set to test values: what an administrator
 * who copies a sample and sets its variables gets.
 * <p>
 * Three SAML samples read the IdP's metadata at start-up from the IdP's own host;
 * here {@code saml.idp-metadata-url} is pointed at a stand-in serving metadata,
 * after checking that the sample's own value is an https URL.
 */
class SamplesLoadTest {

    private static final Path SAMPLES = Path.of("samples");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");
    private static final String CONNECTORS = "gateway.connectors.";

    static WireMockServer idp;
    static KeyPair spKeys;
    static X509Certificate spCertificate;
    static X509Certificate idpCertificate;
    static KeyPair jwtKeys;

    @BeforeAll
    static void start() {
        spKeys = SamlTestIdp.rsa();
        spCertificate = SamlTestIdp.selfSigned(spKeys, "community");
        idpCertificate = SamlTestIdp.selfSigned(SamlTestIdp.rsa(), "idp");
        jwtKeys = SamlTestIdp.rsa();
        idp = new WireMockServer(options().dynamicPort());
        idp.start();
        idp.stubFor(get(urlEqualTo("/metadata")).willReturn(aResponse().withHeader("Content-Type", "application/xml")
                .withBody(metadata())));
    }

    @AfterAll
    static void stop() {
        idp.stop();
    }

    static Stream<Path> samples() throws IOException {
        try (Stream<Path> files = Files.walk(SAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".properties")).sorted().toList().stream();
        }
    }

    @Test
    void theSamplesAreFound() throws IOException {
        // a moved samples/ directory must not turn the parameterized test into no test at all
        assertTrue(samples().count() >= 15, "sample connector configurations found: " + samples().toList());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void sampleBuildsWithoutAConfigurationError(Path sample) throws IOException {
        Map<String, String> properties = read(sample);
        Map<String, String> environment = new HashMap<>();
        properties.values().forEach(value -> {
            Matcher m = VARIABLE.matcher(value);
            while (m.find()) {
                environment.put(m.group(1), testValue(m.group(1)));
            }
        });
        properties.replaceAll((key, value) -> {
            if (!key.endsWith(".saml.idp-metadata-url")) {
                return value;
            }
            URI own = URI.create(expand(value, environment));
            assertEquals("https", own.getScheme(), key + " in " + sample);
            return idp.baseUrl() + "/metadata";
        });

        Map<String, Connector> connectors = ConnectorConfigs.build(properties, environment, factories());

        Set<String> ids = new TreeSet<>();
        properties.keySet().stream().filter(k -> k.startsWith(CONNECTORS))
                .forEach(k -> ids.add(k.substring(CONNECTORS.length(), k.indexOf('.', CONNECTORS.length()))));
        assertFalse(ids.isEmpty(), sample + " configures a connector");
        assertEquals(ids, new TreeSet<>(connectors.keySet()), sample.toString());
        for (String id : ids) {
            Connector connector = connectors.get(id);
            assertEquals(properties.get(CONNECTORS + id + ".type"), connector.settings().type(), sample + ": " + id);
            String label = properties.get(CONNECTORS + id + ".label");
            if (label != null) {
                assertEquals(label, connector.settings().label(), sample + ": " + id);
            }
        }
    }

    private static List<ConnectorFactory> factories() {
        InMemoryReplayGuard replay = new InMemoryReplayGuard();
        TimeSource time = new TimeSource();
        return List.of(new JwtConnectorFactory(replay, time), new OidcConnectorFactory(replay, time, null),
                new OAuth2ConnectorFactory(), new FacebookConnectorFactory(), new SamlConnectorFactory(replay, time));
    }

    /** The file as java.util.Properties reads it (escapes such as {@code Community\ Moderators} included). */
    private static Map<String, String> read(Path sample) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(sample, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        Map<String, String> map = new TreeMap<>();
        properties.forEach((k, v) -> map.put((String) k, (String) v));
        return map;
    }

    /** What an administrator would export: PEM where the sample expects a key or certificate. */
    private static String testValue(String variable) {
        if (variable.endsWith("_PUBLIC_KEY")) {
            return TestTokens.publicPem(jwtKeys);
        }
        if (variable.endsWith("_SP_KEY")) {
            return SamlTestIdp.privatePem(spKeys);
        }
        if (variable.endsWith("_SP_CERT")) {
            return SamlTestIdp.pem(spCertificate);
        }
        if (variable.endsWith("_CERT") || variable.endsWith("_CERTS")) {
            return SamlTestIdp.pem(idpCertificate);
        }
        // secrets, client ids, tenant and app ids: at least 32 bytes, as HMAC secrets must be
        return variable.toLowerCase() + "-0123456789abcdef0123456789abcdef";
    }

    private static String expand(String value, Map<String, String> environment) {
        return VARIABLE.matcher(value).replaceAll(m -> Matcher.quoteReplacement(environment.get(m.group(1))));
    }

    private static String metadata() {
        String certificate;
        try {
            certificate = Base64.getEncoder().encodeToString(idpCertificate.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\""
                + " xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"https://idp.samples.test/saml\">"
                + "<md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
                + "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" + certificate
                + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
                + "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\""
                + " Location=\"https://idp.samples.test/sso\"/>"
                + "</md:IDPSSODescriptor></md:EntityDescriptor>";
    }
}
