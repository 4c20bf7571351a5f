package org.communitysso.gateway.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Stands in for the customer IdPs: generates the keys the tests sign with,
 * serves a JWKS from WireMock, and configures the test connectors:
 * <ul>
 * <li>{@code acme}: RS256 with two PEM public keys (rollover), issuer and audience checked, sign-off URL;</li>
 * <li>{@code partner}: keys from a JWKS URL, trusted emails, a 2-hour idle timeout;</li>
 * <li>{@code vouched}: a second connector with trusted emails (partner's key, static);</li>
 * <li>{@code shared}: HS256 with a shared secret;</li>
 * <li>{@code mapped}: claims in other places, groups mapped to roles, in testing mode;</li>
 * <li>{@code acme-strict}: Acme's keys, issuer and audience, but only sign-ons started here (allow-unsolicited=false),
 * in testing mode;</li>
 * <li>{@code github}: OAuth2 with a nested profile, Basic client authentication, PKCE;</li>
 * <li>{@code forum}: OAuth2 with client credentials in the body, a POST profile request, no PKCE;</li>
 * <li>{@code fb}: Facebook against a stand-in Graph API;</li>
 * <li>{@code oidc-a}: OpenID Connect, endpoints by discovery, groups mapped to roles, trusted emails;</li>
 * <li>{@code oidc-b}: OpenID Connect, endpoints configured explicitly, its own keys and client;</li>
 * <li>{@code oidc-slow}: a token endpoint slower than the 1 s read timeout (testing mode);</li>
 * <li>{@code oidc-down}: an issuer nobody listens on (testing mode);</li>
 * <li>{@code corp}: SAML2, HTTP-Redirect binding, signed requests, SP key (encryption), two IdP
 * certificates (rollover), SLO, no IdP-initiated sign-on;</li>
 * <li>{@code portal}: SAML2, HTTP-POST binding, IdP-initiated sign-on allowed, SHA-1 accepted;</li>
 * <li>{@code retired}: a jwt connector with {@code enabled=false};</li>
 * <li>{@code demo}, {@code demo-partner}: the dev demo's IdPs (dev/DemoIdpResource), with paths as sign-on URLs;
 * demo-partner has no label (the default label and icon);</li>
 * <li>the ids of samples/ and docs/connectors/ not above ({@code discord}, {@code codehub}, {@code gitlab}: oauth2;
 * {@code auth0}, {@code keycloak}, {@code okta}: oidc; {@code adfs}, {@code entra}: saml2), in testing mode.</li>
 * <li>{@code oidc-shared}, {@code github-shared}, {@code fb-shared}, {@code corp-shared} (testing mode): like
 * oidc-b, github, fb and portal, but their IdP administrators registered the type's shared return URL
 * ({@code return-url}, see {@link #registeredReturnUrl}).</li>
 * <li>{@code node-sample}, {@code node-sample-pem} (testing mode): the sample token IdP
 * {@code samples/jwt/idp-node/server.js}, configured as its README tells an operator to (keys from its JWKS URL; or
 * its {@code /public-key.pem} as {@code jwt.public-key}, the sample started with {@code PRIVATE_KEY_FILE}). Nothing
 * listens on its port until a test starts the sample there (see {@code NodeSampleIdpTest}): the port is fixed here
 * because the connector configuration is fixed at boot.</li>
 * </ul>
 * Like real IdPs, the stand-ins accept only the return URL registered for a connector
 * ({@link #registeredReturnUrl}): as {@code redirect_uri} in the authorization and token
 * requests, as the ACS URL of an AuthnRequest.
 * The OIDC token and userinfo answers are stubbed per sign-on by {@link TestOidc}.
 * Private keys reach the tests through test-only config keys ({@code test.*}).
 */
public class TestIdp implements QuarkusTestResourceLifecycleManager {

    public static final String ACME_ISSUER = "https://idp.acme.test";
    public static final String ACME_AUDIENCE = "community";
    public static final String PARTNER_ISSUER = "https://idp.partner.test";
    public static final String VOUCHED_ISSUER = "https://idp.vouched.test";
    public static final String SHARED_ISSUER = "https://idp.shared.test";
    public static final String ACME_ICON = "https://idp.acme.test/favicon.png";
    public static final String SHARED_SECRET = "0123456789abcdef0123456789abcdef-test-only";

    public static final String OAUTH2_SECRET = "oauth2-client-secret-test-only";
    public static final String FACEBOOK_APP_ID = "1234567890";
    public static final String FACEBOOK_APP_SECRET = "facebook-app-secret-test-only";
    public static final String OIDC_A_CLIENT = "community-a";
    public static final String OIDC_A_KID = "a-1";
    public static final String OIDC_B_CLIENT = "community-b";
    public static final String OIDC_B_KID = "b-1";

    public static final String CORP_IDP = "https://idp.corp.test/saml";
    public static final String PORTAL_IDP = "https://idp.portal.test/saml";
    public static final String SP_ENTITY_ID = "https://community.example.com/saml";

    /** How long oidc-slow's token endpoint takes to answer: far beyond its 1 s read timeout. */
    public static final java.time.Duration SLOW_TOKEN_DELAY = java.time.Duration.ofSeconds(10);

    /**
     * Where the gateway is reached from outside in the shared-return-URL connectors' configuration
     * (as behind a proxy): their IdPs send the member to this host; the tests' browser brings the path
     * to the gateway under test.
     */
    public static final String PUBLIC_BASE = "https://community.example.com";
    /** Connectors whose IdP has only the type's shared return URL registered. */
    public static final Map<String, String> SHARED_RETURN_URLS = Map.of(
            "oidc-shared", PUBLIC_BASE + "/auth/openidconnect/return",
            "github-shared", PUBLIC_BASE + "/auth/oauth2/return",
            "fb-shared", PUBLIC_BASE + "/auth/facebook/return",
            "corp-shared", PUBLIC_BASE + "/auth/saml/return");

    /**
     * The one return URL registered for {@code connector} at its stand-in IdP (the redirect
     * URI, or the SAML ACS URL): the shared one for the connectors above, else the
     * connector's own return URL at the gateway under test.
     */
    public static String registeredReturnUrl(String connector) {
        return SHARED_RETURN_URLS.getOrDefault(connector,
                "http://localhost:" + io.restassured.RestAssured.port + "/auth/" + connector + "/return");
    }

    private WireMockServer wireMock;
    private java.nio.file.Path nodeSampleKeyFile;

    @Override
    public Map<String, String> start() {
        KeyPair acme = rsa();
        KeyPair partner = rsa();
        KeyPair rogue = rsa();
        KeyPair acmeNext = rsa();
        KeyPair oidcA = rsa();
        KeyPair oidcA2 = rsa();
        KeyPair oidcB = rsa();
        wireMock = new WireMockServer(options().dynamicPort());
        wireMock.start();
        wireMock.stubFor(get(urlEqualTo("/jwks.json")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withBody(TestTokens.jwks(partner, "partner-key-1"))));

        Map<String, String> config = new HashMap<>();
        config.put("test.acme.private-key", encode(acme));
        config.put("test.partner.private-key", encode(partner));
        config.put("test.rogue.private-key", encode(rogue));
        config.put("test.acme-next.private-key", encode(acmeNext));
        config.put("test.acme.public-key", TestTokens.publicPem(acme));
        config.put("test.wiremock.port", String.valueOf(wireMock.port()));
        config.put("test.oidc-a.private-key", encode(oidcA));
        config.put("test.oidc-a2.private-key", encode(oidcA2));
        config.put("test.oidc-b.private-key", encode(oidcB));

        // the pages as a community ships them (web/UiSettings)
        config.put("gateway.ui.community-name", "Test Community");
        config.put("gateway.ui.logo-url", "/auth/assets/favicon.svg");
        config.put("gateway.ui.accent-color", "#0b6e4f");
        config.put("gateway.ui.support-url", "https://help.community.example.com/");

        String c = "gateway.connectors.";
        config.put(c + "acme.type", "jwt");
        config.put(c + "acme.label", "Sign in with Acme");
        config.put(c + "acme.sign-on-url", ACME_ISSUER + "/sso");
        config.put(c + "acme.sign-off-url", ACME_ISSUER + "/logout?brand=community");
        config.put(c + "acme.icon", ACME_ICON);
        // two keys: the current one and the next, as during a key rollover
        config.put(c + "acme.jwt.public-key", TestTokens.publicPem(acme) + TestTokens.publicPem(acmeNext));
        config.put(c + "acme.jwt.algorithms", "RS256");
        config.put(c + "acme.jwt.issuer", ACME_ISSUER);
        config.put(c + "acme.jwt.audience", ACME_AUDIENCE);
        config.put(c + "acme.jwt.max-age", "5M");
        config.put(c + "acme.jwt.clock-skew", "30S");

        // the dev demo's two IdPs (dev/DemoIdpResource, built for tests too), as application.properties has them
        for (String demo : new String[] {"demo", "demo-partner"}) {
            config.put(c + demo + ".type", "jwt");
            config.put(c + demo + ".sign-on-url", "/dev/demo-idp/" + demo + "/sign-on");
            config.put(c + demo + ".sign-off-url", "/dev/demo-idp/" + demo + "/sign-off");
            config.put(c + demo + ".jwt.shared-secret", "test-only-" + demo + "-secret-0123456789abcdef");
            config.put(c + demo + ".jwt.algorithms", "HS256");
            config.put(c + demo + ".jwt.issuer", "https://" + demo + ".invalid");
            config.put(c + demo + ".jwt.audience", "community-sso-gateway");
        }
        config.put(c + "demo.label", "Sign in with the Demo IdP");
        config.put(c + "demo.description", "The organisation's accounts (a stand-in IdP).");
        config.put(c + "partner.type", "jwt");
        config.put(c + "partner.label", "Sign in with Partner");
        config.put(c + "partner.sign-on-url", PARTNER_ISSUER + "/login");
        config.put(c + "partner.trust-email", "true");
        config.put(c + "partner.session.inactivity-timeout", "2H");
        config.put(c + "partner.jwt.jwks-url", "http://localhost:" + wireMock.port() + "/jwks.json");
        config.put(c + "partner.jwt.issuer", PARTNER_ISSUER);
        config.put(c + "partner.jwt.jwks-refetch-interval", "0S");

        // a second connector that verifies emails, signing with partner's key
        config.put(c + "vouched.type", "jwt");
        config.put(c + "vouched.sign-on-url", VOUCHED_ISSUER + "/login");
        config.put(c + "vouched.trust-email", "true");
        config.put(c + "vouched.jwt.public-key", TestTokens.publicPem(partner));
        config.put(c + "vouched.jwt.issuer", VOUCHED_ISSUER);

        config.put(c + "shared.type", "jwt");
        config.put(c + "shared.sign-on-url", SHARED_ISSUER + "/login");
        config.put(c + "shared.jwt.shared-secret", SHARED_SECRET);
        config.put(c + "shared.jwt.algorithms", "HS256");
        config.put(c + "shared.jwt.issuer", SHARED_ISSUER);

        config.put(c + "mapped.type", "jwt");
        config.put(c + "mapped.testing", "true");
        config.put(c + "mapped.sign-on-url", ACME_ISSUER + "/sso");
        config.put(c + "mapped.jwt.public-key", TestTokens.publicPem(acme));
        config.put(c + "mapped.mapping.id", "sub");
        config.put(c + "mapped.mapping.username", "profile.nick");
        config.put(c + "mapped.mapping.email", "profile.mail");
        config.put(c + "mapped.mapping.groups", "groups");
        config.put(c + "mapped.role-mapping.moderators", "10, 11");
        config.put(c + "mapped.role-mapping.staff", "12");

        config.put(c + "acme-strict.type", "jwt");
        config.put(c + "acme-strict.testing", "true");
        config.put(c + "acme-strict.sign-on-url", ACME_ISSUER + "/sso");
        config.put(c + "acme-strict.jwt.public-key", TestTokens.publicPem(acme));
        config.put(c + "acme-strict.jwt.issuer", ACME_ISSUER);
        config.put(c + "acme-strict.jwt.audience", ACME_AUDIENCE);
        config.put(c + "acme-strict.jwt.allow-unsolicited", "false");

        String wm = "http://localhost:" + wireMock.port();
        config.put(c + "github.type", "oauth2");
        config.put(c + "github.label", "Sign in with CodeHub");
        config.put(c + "github.client-id", "codehub-client");
        config.put(c + "github.client-secret", OAUTH2_SECRET);
        config.put(c + "github.scope", "read:user user:email");
        config.put(c + "github.authorization-url", wm + "/codehub/authorize");
        config.put(c + "github.token-url", wm + "/codehub/token");
        config.put(c + "github.user-info-url", wm + "/codehub/user");
        config.put(c + "github.read-timeout", "2S");
        config.put(c + "github.mapping.id", "data.account.id");
        config.put(c + "github.mapping.username", "data.account.login");
        config.put(c + "github.mapping.email", "/data/emails/0/address");
        config.put(c + "github.mapping.avatar", "data.account.avatar_url");

        config.put(c + "forum.type", "oauth2");
        config.put(c + "forum.client-id", "forum-client");
        config.put(c + "forum.client-secret", OAUTH2_SECRET);
        config.put(c + "forum.authorization-url", wm + "/forum/authorize?tenant=acme");
        config.put(c + "forum.token-url", wm + "/forum/token");
        config.put(c + "forum.user-info-url", wm + "/forum/me");
        config.put(c + "forum.oauth2.client-authentication", "post");
        config.put(c + "forum.oauth2.profile-method", "POST");
        config.put(c + "forum.oauth2.pkce", "false");
        config.put(c + "forum.oauth2.extra-parameters.audience", "community");

        config.put(c + "fb.type", "facebook");
        config.put(c + "fb.client-id", FACEBOOK_APP_ID);
        config.put(c + "fb.client-secret", FACEBOOK_APP_SECRET);
        config.put(c + "fb.trust-email", "true");
        config.put(c + "fb.facebook.graph-api-url", wm + "/graph");
        config.put(c + "fb.facebook.dialog-url", wm + "/dialog");

        // SAML2: the IdP signs with samlIdp; samlNext is its next certificate (rollover);
        // samlRogue is nobody's; samlSp is the gateway's own key pair.
        KeyPair samlIdp = SamlTestIdp.rsa();
        KeyPair samlNext = SamlTestIdp.rsa();
        KeyPair samlRogue = SamlTestIdp.rsa();
        KeyPair samlSp = SamlTestIdp.rsa();
        var idpCert = SamlTestIdp.selfSigned(samlIdp, "idp");
        var spCert = SamlTestIdp.selfSigned(samlSp, "community");
        config.put("test.saml.idp-key", SamlTestIdp.encode(samlIdp));
        config.put("test.saml.idp-cert", SamlTestIdp.pem(idpCert));
        config.put("test.saml.rogue-key", SamlTestIdp.encode(samlRogue));
        config.put("test.saml.rogue-cert", SamlTestIdp.pem(SamlTestIdp.selfSigned(samlRogue, "rogue")));
        config.put("test.saml.sp-key", SamlTestIdp.encode(samlSp));
        config.put("test.saml.sp-cert", SamlTestIdp.pem(spCert));

        config.put(c + "corp.type", "saml2");
        config.put(c + "corp.label", "Sign in with Corp");
        config.put(c + "corp.saml.idp-entity-id", CORP_IDP);
        config.put(c + "corp.saml.sso-url", "https://idp.corp.test/sso?tenant=community");
        config.put(c + "corp.saml.slo-url", "https://idp.corp.test/slo");
        config.put(c + "corp.saml.idp-certificate", SamlTestIdp.pem(SamlTestIdp.selfSigned(samlNext, "idp-next"))
                + SamlTestIdp.pem(idpCert));
        config.put(c + "corp.saml.sp-entity-id", SP_ENTITY_ID);
        config.put(c + "corp.saml.binding", "redirect");
        config.put(c + "corp.saml.sign-requests", "true");
        config.put(c + "corp.saml.signature-algorithm", "sha256");
        config.put(c + "corp.saml.name-id-format", "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
        config.put(c + "corp.saml.sp-private-key", SamlTestIdp.privatePem(samlSp));
        config.put(c + "corp.saml.sp-certificate", SamlTestIdp.pem(spCert));
        config.put(c + "corp.saml.clock-skew", "30S");
        config.put(c + "corp.role-mapping.staff", "21, 22");

        config.put(c + "portal.type", "saml2");
        config.put(c + "portal.saml.idp-entity-id", PORTAL_IDP);
        config.put(c + "portal.saml.sso-url", "https://idp.portal.test/sso");
        config.put(c + "portal.saml.idp-certificate", SamlTestIdp.pem(idpCert));
        config.put(c + "portal.saml.sp-entity-id", SP_ENTITY_ID);
        config.put(c + "portal.saml.binding", "post");
        config.put(c + "portal.saml.signature-algorithm", "sha1");
        config.put(c + "portal.saml.allow-idp-initiated", "true");
        config.put(c + "corp-shared.type", "saml2");
        config.put(c + "corp-shared.testing", "true");
        config.put(c + "corp-shared.return-url", SHARED_RETURN_URLS.get("corp-shared"));
        config.put(c + "corp-shared.saml.idp-entity-id", PORTAL_IDP);
        config.put(c + "corp-shared.saml.sso-url", "https://idp.portal.test/sso");
        config.put(c + "corp-shared.saml.idp-certificate", SamlTestIdp.pem(idpCert));
        config.put(c + "corp-shared.saml.sp-entity-id", SP_ENTITY_ID);
        config.put(c + "corp-shared.saml.binding", "redirect");

        config.put(c + "github-shared.type", "oauth2");
        config.put(c + "github-shared.testing", "true");
        config.put(c + "github-shared.return-url", SHARED_RETURN_URLS.get("github-shared"));
        config.put(c + "github-shared.client-id", "codehub-client");
        config.put(c + "github-shared.client-secret", OAUTH2_SECRET);
        config.put(c + "github-shared.authorization-url", wm + "/codehub/authorize");
        config.put(c + "github-shared.token-url", wm + "/codehub/token");
        config.put(c + "github-shared.user-info-url", wm + "/codehub/user");
        config.put(c + "github-shared.mapping.id", "data.account.id");
        config.put(c + "github-shared.mapping.username", "data.account.login");

        config.put(c + "fb-shared.type", "facebook");
        config.put(c + "fb-shared.testing", "true");
        config.put(c + "fb-shared.return-url", SHARED_RETURN_URLS.get("fb-shared"));
        config.put(c + "fb-shared.client-id", FACEBOOK_APP_ID);
        config.put(c + "fb-shared.client-secret", FACEBOOK_APP_SECRET);
        config.put(c + "fb-shared.facebook.graph-api-url", wm + "/graph");
        config.put(c + "fb-shared.facebook.dialog-url", wm + "/dialog");
        oidc(config, oidcA, oidcB);
        admin(config);
        samples(config, SamlTestIdp.pem(idpCert), SamlTestIdp.privatePem(samlSp), SamlTestIdp.pem(spCert));
        config.put("test.oidc-shared.private-key", encode(oidcB));
        nodeSample(config);
        return config;
    }

    /**
     * A switched-off connector, and connectors with the ids the samples and guides use
     * (samples/, docs/connectors/), so the URLs they tell administrators to register can be
     * requested. In testing mode, so the sign-in page and the shared return URLs are as before.
     */
    private void samples(Map<String, String> config, String idpCert, String spKey, String spCert) {
        // the pages as a community ships them (web/UiSettings)
        config.put("gateway.ui.community-name", "Test Community");
        config.put("gateway.ui.logo-url", "/auth/assets/favicon.svg");
        config.put("gateway.ui.accent-color", "#0b6e4f");
        config.put("gateway.ui.support-url", "https://help.community.example.com/");

        String c = "gateway.connectors.";
        String wm = "http://localhost:" + wireMock.port();
        config.put(c + "retired.type", "jwt");
        config.put(c + "retired.label", "Sign in with Retired");
        config.put(c + "retired.enabled", "false");
        config.put(c + "retired.sign-on-url", "https://idp.retired.test/sso");
        config.put(c + "retired.jwt.shared-secret", SHARED_SECRET);

        for (String id : java.util.List.of("discord", "codehub", "gitlab")) {
            config.put(c + id + ".type", "oauth2");
            config.put(c + id + ".testing", "true");
            config.put(c + id + ".client-id", id + "-client");
            config.put(c + id + ".client-secret", OAUTH2_SECRET);
            config.put(c + id + ".authorization-url", "https://" + id + ".test/authorize");
            config.put(c + id + ".token-url", wm + "/" + id + "/token");
            config.put(c + id + ".user-info-url", wm + "/" + id + "/user");
        }
        for (String id : java.util.List.of("auth0", "keycloak", "okta")) {
            config.put(c + id + ".type", "oidc");
            config.put(c + id + ".testing", "true");
            config.put(c + id + ".issuer", wm + "/" + id);
            config.put(c + id + ".client-id", id + "-client");
            config.put(c + id + ".client-secret", id + "-secret-test-only");
        }
        for (String id : java.util.List.of("adfs", "entra")) {
            config.put(c + id + ".type", "saml2");
            config.put(c + id + ".testing", "true");
            config.put(c + id + ".saml.idp-entity-id", "https://idp." + id + ".test/saml");
            config.put(c + id + ".saml.sso-url", "https://idp." + id + ".test/sso");
            config.put(c + id + ".saml.slo-url", "https://idp." + id + ".test/slo");
            config.put(c + id + ".saml.idp-certificate", idpCert);
            config.put(c + id + ".saml.sp-entity-id", SP_ENTITY_ID);
            config.put(c + id + ".saml.sp-private-key", spKey);
            config.put(c + id + ".saml.sp-certificate", spCert);
        }
    }

    /**
     * The connectors for samples/jwt/idp-node, as its README's gateway configuration, on a free port the test
     * starts the sample on ({@code test.node-sample.port}); the sample's signing key is written to
     * {@code test.node-sample.private-key-file} (its {@code PRIVATE_KEY_FILE}), and its public half is
     * {@code node-sample-pem}'s {@code jwt.public-key}.
     */
    private void nodeSample(Map<String, String> config) {
        int port = closedPort();
        String idp = "http://localhost:" + port;
        KeyPair keys = rsa();
        try {
            nodeSampleKeyFile = java.nio.file.Files.createTempFile("node-sample-idp", ".pem");
            java.nio.file.Files.writeString(nodeSampleKeyFile, SamlTestIdp.privatePem(keys));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        config.put("test.node-sample.port", String.valueOf(port));
        config.put("test.node-sample.private-key-file", nodeSampleKeyFile.toString());

        // the pages as a community ships them (web/UiSettings)
        config.put("gateway.ui.community-name", "Test Community");
        config.put("gateway.ui.logo-url", "/auth/assets/favicon.svg");
        config.put("gateway.ui.accent-color", "#0b6e4f");
        config.put("gateway.ui.support-url", "https://help.community.example.com/");

        String c = "gateway.connectors.";
        for (String id : java.util.List.of("node-sample", "node-sample-pem")) {
            config.put(c + id + ".type", "jwt");
            config.put(c + id + ".testing", "true");
            config.put(c + id + ".label", "Sign in with the sample IdP");
            config.put(c + id + ".sign-on-url", idp + "/sso");
            config.put(c + id + ".sign-off-url", idp + "/sso/logout");
            config.put(c + id + ".jwt.issuer", idp);
            config.put(c + id + ".jwt.audience", "community-sso-gateway");
        }
        config.put(c + "node-sample.jwt.jwks-url", idp + "/jwks.json");
        config.put(c + "node-sample-pem.jwt.public-key", TestTokens.publicPem(keys));
    }

    private void oidc(Map<String, String> config, KeyPair oidcA, KeyPair oidcB) {
        String base = "http://localhost:" + wireMock.port();
        String a = base + "/oidc-a";
        wireMock.stubFor(get(urlEqualTo("/oidc-a/.well-known/openid-configuration")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withBody("{\"issuer\":\"" + a + "\",\"authorization_endpoint\":\"" + a + "/authorize\","
                        + "\"token_endpoint\":\"" + a + "/token\",\"userinfo_endpoint\":\"" + a + "/userinfo\","
                        + "\"jwks_uri\":\"" + a + "/jwks\",\"end_session_endpoint\":\"" + a + "/logout\","
                        + "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                        + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}")));
        wireMock.stubFor(get(urlEqualTo("/oidc-a/jwks")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(TestTokens.jwks(oidcA, OIDC_A_KID))));
        wireMock.stubFor(get(urlEqualTo("/oidc-b/jwks")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(TestTokens.jwks(oidcB, OIDC_B_KID))));
        wireMock.stubFor(post(urlEqualTo("/oidc-slow/token")).willReturn(aResponse().withFixedDelay((int) SLOW_TOKEN_DELAY.toMillis())
                .withHeader("Content-Type", "application/json").withBody("{}")));

        // the pages as a community ships them (web/UiSettings)
        config.put("gateway.ui.community-name", "Test Community");
        config.put("gateway.ui.logo-url", "/auth/assets/favicon.svg");
        config.put("gateway.ui.accent-color", "#0b6e4f");
        config.put("gateway.ui.support-url", "https://help.community.example.com/");

        String c = "gateway.connectors.";
        config.put(c + "oidc-a.type", "oidc");
        config.put(c + "oidc-a.label", "Sign in with OIDC A");
        config.put(c + "oidc-a.issuer", a);
        config.put(c + "oidc-a.client-id", OIDC_A_CLIENT);
        config.put(c + "oidc-a.client-secret", "oidc-a-secret-test-only");
        config.put(c + "oidc-a.trust-email", "true");
        config.put(c + "oidc-a.role-mapping.admins", "7");
        config.put(c + "oidc-a.oidc.jwks-refetch-interval", "0S");
        config.put(c + "oidc-a.read-timeout", "3S");

        String b = base + "/oidc-b";
        config.put(c + "oidc-b.type", "oidc");
        config.put(c + "oidc-b.label", "Sign in with OIDC B");
        config.put(c + "oidc-b.issuer", b);
        config.put(c + "oidc-b.client-id", OIDC_B_CLIENT);
        config.put(c + "oidc-b.client-secret", "oidc-b-secret-test-only");
        config.put(c + "oidc-b.scope", "openid email");
        config.put(c + "oidc-b.authorization-url", "https://login.oidc-b.test/authorize?tenant=community");
        config.put(c + "oidc-b.token-url", b + "/token");
        config.put(c + "oidc-b.user-info-url", b + "/userinfo");
        config.put(c + "oidc-b.jwks-url", b + "/jwks");
        config.put(c + "oidc-b.end-session-url", "https://login.oidc-b.test/logout");

        // oidc-b's IdP and keys, another client whose administrator registered the shared return URL
        config.put(c + "oidc-shared.type", "oidc");
        config.put(c + "oidc-shared.testing", "true");
        config.put(c + "oidc-shared.return-url", SHARED_RETURN_URLS.get("oidc-shared"));
        config.put(c + "oidc-shared.issuer", base + "/oidc-shared");
        config.put(c + "oidc-shared.client-id", OIDC_B_CLIENT);
        config.put(c + "oidc-shared.client-secret", "oidc-shared-secret-test-only");
        config.put(c + "oidc-shared.authorization-url", "https://login.oidc-b.test/authorize?tenant=community");
        config.put(c + "oidc-shared.token-url", base + "/oidc-shared/token");
        config.put(c + "oidc-shared.jwks-url", b + "/jwks");
        config.put(c + "oidc-shared.oidc.user-info", "false");

        config.put(c + "oidc-slow.type", "oidc");
        config.put(c + "oidc-slow.testing", "true");
        config.put(c + "oidc-slow.issuer", base + "/oidc-slow");
        config.put(c + "oidc-slow.client-id", "slow");
        config.put(c + "oidc-slow.client-secret", "slow-secret");
        config.put(c + "oidc-slow.authorization-url", "https://login.oidc-slow.test/authorize");
        config.put(c + "oidc-slow.token-url", base + "/oidc-slow/token");
        config.put(c + "oidc-slow.jwks-url", base + "/oidc-slow/jwks");
        config.put(c + "oidc-slow.connect-timeout", "1S");
        config.put(c + "oidc-slow.read-timeout", "1S");

        config.put(c + "oidc-down.type", "oidc");
        config.put(c + "oidc-down.testing", "true");
        config.put(c + "oidc-down.issuer", "http://127.0.0.1:" + closedPort() + "/down");
        config.put(c + "oidc-down.client-id", "down");
        config.put(c + "oidc-down.connect-timeout", "1S");
        config.put(c + "oidc-down.read-timeout", "1S");
    }

    /** The operators' IdP of the admin API: discovery and JWKS; tests sign access tokens with {@code test.admin}. */
    public static final String ADMIN_KID = "ops-1";

    private void admin(Map<String, String> config) {
        KeyPair admin = rsa();
        String issuer = "http://localhost:" + wireMock.port() + "/ops-idp";
        wireMock.stubFor(get(urlEqualTo("/ops-idp/.well-known/openid-configuration")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withBody("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/jwks\","
                        + "\"token_endpoint\":\"" + issuer + "/token\",\"authorization_endpoint\":\"" + issuer
                        + "/authorize\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}")));
        wireMock.stubFor(get(urlEqualTo("/ops-idp/jwks")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(TestTokens.jwks(admin, ADMIN_KID))));
        config.put("test.admin.private-key", encode(admin));
        config.put("test.admin.issuer", issuer);
        config.put("gateway.admin.issuer", issuer);
    }

    /** A local port nothing listens on: connections are refused at once. */
    private static int closedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (wireMock != null) {
            wireMock.stop();
        }
        if (nodeSampleKeyFile != null) {
            try {
                java.nio.file.Files.deleteIfExists(nodeSampleKeyFile);
            } catch (java.io.IOException e) {
                // a temp file left behind
            }
        }
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(KeyPair pair) {
        return Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + ":"
                + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
    }
}
