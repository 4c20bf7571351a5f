package org.communitysso.gateway.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.communitysso.gateway.testing.NodeJs;
import org.communitysso.gateway.testing.SampleSitePorts;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTokens;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two sample sites of {@code samples/sites} (plain Node.js), run as their README says against the gateway
 * under test, configured as {@code sample-shop} and {@code sample-docs} (auto) in the test profile: a member
 * signs in at the shop through the IdP, at the docs without it, signs out at the shop, and the docs site's
 * session ends through the back-channel logout token.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
@QuarkusTestResource(SampleSitePorts.class)
class NodeSampleSitesTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Map<String, String> SECRETS = Map.of(
            "shop", "sample-shop-secret-test-only-0123456789",
            "docs", "sample-docs-secret-test-only-0123456789");

    private static final List<Process> SITES = new ArrayList<>();
    private static final List<Path> LOGS = new ArrayList<>();
    private static Thread killOnExit;

    /** The member's browser: one cookie jar for the gateway and both sites, redirects followed by hand. */
    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL)).connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeEach
    void startSites() throws Exception {
        if (!SITES.isEmpty()) {
            SITES.forEach(p -> assertTrue(p.isAlive(), "a sample site exited: " + logs()));
            return;
        }
        killOnExit = new Thread(NodeSampleSitesTest::kill, "kill sample sites");
        Runtime.getRuntime().addShutdownHook(killOnExit);
        for (String site : List.of("shop", "docs")) {
            Path log = Files.createTempFile("sample-site-" + site, ".log");
            LOGS.add(log);
            ProcessBuilder builder = new ProcessBuilder(NodeJs.binary("samples/sites"),
                    Path.of("samples", "sites", site, "server.js").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().remove("NODE_OPTIONS");
            builder.environment().remove("GATEWAY_ISSUER");
            builder.environment().put("SITE_ID", "sample-" + site);
            builder.environment().put("SITE_SECRET", SECRETS.get(site));
            builder.environment().put("GATEWAY_URL", gateway());
            builder.environment().put("SITE_URL", site(site, ""));
            builder.environment().put("PORT", String.valueOf(port(site)));
            SITES.add(builder.start());
        }
        for (String site : List.of("shop", "docs")) {
            awaitAnswer(site);
        }
    }

    @AfterAll
    static void stopSites() {
        kill();
        if (killOnExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    @Test
    void signInAtTheShopThenTheDocsWithoutTheIdpAndSignOutEverywhere() throws Exception {
        String id = "sample-sites-" + UUID.randomUUID();
        String username = "ss" + id.substring(13, 23).replace("-", "");
        assertTrue(page("shop").contains("Not signed in."), page("shop"));

        // shop: sign in sends the browser to the gateway, the sign-in page, the IdP (stood in here), and back
        HttpResponse<String> atSignIn = follow(site("shop", "/login"), "/auth/login");
        String target = query(atSignIn.uri(), "return_url");
        assertTrue(target.startsWith("/sso/authorize?site=sample-shop&"), target);
        HttpResponse<String> toIdp = get(URI.create(gateway() + "/auth/acme/login?return_url="
                + URLEncoder.encode(target, StandardCharsets.UTF_8)));
        assertEquals(302, toIdp.statusCode());
        assertTrue(toIdp.headers().firstValue("Location").orElseThrow().startsWith(TestIdp.ACME_ISSUER));
        String token = TestTokens.acme(Map.of("id", id, "username", username));
        HttpResponse<String> home = follow(URI.create(gateway() + "/auth/acme/return?token=" + token),
                site("shop", "/"));
        assertEquals(200, home.statusCode());
        assertTrue(home.body().contains("Signed in as <b>" + username + "</b>"), home.body());

        // docs: the gateway answers at once (auto), no IdP
        HttpResponse<String> docs = follow(site("docs", "/login"), site("docs", "/"));
        assertTrue(docs.body().contains("Signed in as <b>" + username + "</b>"), docs.body());

        // sign out at the shop: the gateway session ends, and the docs site hears it through the back channel
        HttpResponse<String> signedOut = follow(site("shop", "/logout"), site("shop", "/"));
        assertTrue(signedOut.body().contains("Not signed in."), signedOut.body());
        Instant deadline = Instant.now().plusSeconds(15);
        while (!page("docs").contains("Not signed in.")) {
            assertTrue(Instant.now().isBefore(deadline), "the docs site still shows the member: " + logs());
            Thread.sleep(200);
        }
        assertTrue(logs().contains("back-channel logout: 1 session(s) ended"), logs());
    }

    @Test
    void theSamplesRefuseAForgedLogoutTokenAndAForgedCallback() throws Exception {
        String forged = TestTokens.signHmac(new org.jose4j.jwt.JwtClaims(), "not-the-docs-secret-0123456789abcdef"
                .getBytes(StandardCharsets.UTF_8), "HS256");
        HttpResponse<String> refused = browser.send(HttpRequest.newBuilder(URI.create(site("docs", "/sso/logout")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("logout_token=" + forged)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, refused.statusCode());
        assertTrue(logs().contains("back-channel logout refused: bad signature"), logs());

        HttpResponse<String> callback = get(URI.create(site("shop", "/sso/callback?state=planted&ott=planted")));
        assertEquals(400, callback.statusCode());
        assertFalse(callback.body().contains("Signed in"));
    }

    /**
     * Follows redirects from {@code start} until the gateway path starting with {@code until} (a path), or the
     * URL {@code until} itself; answers that response.
     */
    private HttpResponse<String> follow(String start, String until) throws Exception {
        return follow(URI.create(start), until);
    }

    private HttpResponse<String> follow(URI start, String until) throws Exception {
        URI next = start;
        for (int hops = 0; hops < 12; hops++) {
            HttpResponse<String> response = get(next);
            String here = next.toString().replace(gateway(), "");
            if (until.startsWith("/") ? here.startsWith(until) : next.toString().equals(until)) {
                return response;
            }
            String location = response.headers().firstValue("Location")
                    .orElseThrow(() -> new AssertionError(response.statusCode() + " at " + response.uri() + ": "
                            + response.body()));
            next = next.resolve(location);
        }
        throw new AssertionError("too many redirects from " + start);
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return browser.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private String page(String site) throws Exception {
        return get(URI.create(site(site, "/"))).body();
    }

    private static String query(URI uri, String name) {
        for (String pair : uri.getRawQuery().split("&")) {
            String[] nameValue = pair.split("=", 2);
            if (nameValue[0].equals(name)) {
                return java.net.URLDecoder.decode(nameValue[1], StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no " + name + " in " + uri);
    }

    private static String gateway() {
        return "http://localhost:" + RestAssured.port;
    }

    private static int port(String site) {
        return ConfigProvider.getConfig().getValue("test.sample-sites." + site + ".port", Integer.class);
    }

    private static String site(String site, String path) {
        return "http://localhost:" + port(site) + path;
    }

    private void awaitAnswer(String site) throws Exception {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (true) {
            try {
                get(URI.create(site(site, "/")));
                return;
            } catch (IOException notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("sample site " + site + " did not answer: " + logs(), notYet);
                }
                Thread.sleep(100);
            }
        }
    }

    private static String logs() {
        StringBuilder all = new StringBuilder();
        for (Path log : LOGS) {
            try {
                all.append(Files.readString(log)).append('\n');
            } catch (IOException e) {
                all.append("(no log: ").append(e).append(")\n");
            }
        }
        return all.toString();
    }

    private static void kill() {
        for (Process process : SITES) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        SITES.clear();
    }
}
