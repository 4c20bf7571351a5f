package org.communitysso.gateway.samples;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.communitysso.gateway.testing.NodeJs;
import org.communitysso.gateway.testing.TestIdp;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sample token IdP {@code samples/jwt/idp-node/server.js}, run as its README says
 * ({@code PORT=… GATEWAY_URL=… node server.js}, plus {@code PRIVATE_KEY_FILE}), against the gateway under test,
 * whose connectors for it ({@code node-sample}: JWKS URL; {@code node-sample-pem}: the sample's
 * {@code /public-key.pem} as {@code jwt.public-key}) are configured by {@link TestIdp} as the README's gateway
 * configuration. A member signs on through the sample's form and signs off through it; the sample refuses to
 * redirect anywhere but the gateway.
 * <p>
 * {@code ISSUER}, {@code AUDIENCE} and {@code KID} are left to the sample's defaults (and removed from the
 * inherited environment), so the README's configuration is checked against what the sample really sends.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class NodeSampleIdpTest {

    private static final Path SERVER = Path.of("samples", "jwt", "idp-node", "server.js");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private static Process node;
    private static Path nodeLog;
    private static Thread killOnExit;
    private static int idpPort;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Starts the sample once, when the gateway's port is known; it is stopped in {@link #stopSample()}. */
    @BeforeEach
    void startSample() throws Exception {
        if (node != null) {
            assertTrue(node.isAlive(), "the sample IdP exited: " + log());
            return;
        }
        idpPort = ConfigProvider.getConfig().getValue("test.node-sample.port", Integer.class);
        String keyFile = ConfigProvider.getConfig().getValue("test.node-sample.private-key-file", String.class);
        assertTrue(Files.isRegularFile(SERVER), SERVER + " exists");
        nodeLog = Files.createTempFile("node-sample-idp", ".log");
        ProcessBuilder builder = new ProcessBuilder(NodeJs.binary(SERVER.toString()), SERVER.toString())
                .redirectErrorStream(true).redirectOutput(nodeLog.toFile());
        Map<String, String> env = builder.environment();
        for (String inherited : List.of("ISSUER", "AUDIENCE", "KID", "COMMUNITY_ORIGINS", "NODE_OPTIONS")) {
            env.remove(inherited);
        }
        env.put("PORT", String.valueOf(idpPort));
        env.put("GATEWAY_URL", gateway());
        env.put("PRIVATE_KEY_FILE", keyFile);
        node = builder.start();
        killOnExit = new Thread(NodeSampleIdpTest::kill, "kill node sample IdP");
        Runtime.getRuntime().addShutdownHook(killOnExit);
        try {
            awaitAnswer();
        } catch (Throwable e) {
            stopSample();
            throw e;
        }
    }

    @AfterAll
    static void stopSample() {
        kill();
        if (killOnExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            killOnExit = null;
        }
    }

    private static void kill() {
        Process process = node;
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void memberSignsOnThroughTheSampleAndSignsOff() throws Exception {
        String id = "node-" + UUID.randomUUID();
        String username = "node" + id.substring(5, 13);

        // 1. the community sends the member to the gateway, which sends them to the sample's /sso
        Response login = given().redirects().follow(false).queryParam("return_url", "/topic/1")
                .get("/auth/node-sample/login");
        assertEquals(302, login.statusCode(), login.asString());
        URI sso = URI.create(login.header("Location"));
        assertEquals(idp("/sso"), sso.getScheme() + "://" + sso.getAuthority() + sso.getPath());
        String returnUrl = query(sso, "return_url");
        assertEquals(gateway() + "/auth/node-sample/return", returnUrl);
        String state = login.getCookie("community_sign_on");
        assertNotNull(state, "sign-on state cookie");

        // 2. the sample shows its sign-in form, carrying the gateway's return URL
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(sso).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, form.statusCode(), form.body());
        assertTrue(form.body().contains("<form method=\"post\" action=\"/sso\">"), form.body());
        assertEquals(returnUrl, hidden(form.body(), "return_url"));

        // 3. the member signs in there: redirected to return_url?token=…, with an IdP session
        HttpResponse<String> signedIn = postForm(idp("/sso"), Map.of("return_url", hidden(form.body(), "return_url"),
                "id", id, "username", username, "email", id + "@sample.test", "customRoles", "4, 5"), null);
        assertEquals(302, signedIn.statusCode(), signedIn.body());
        String back = signedIn.headers().firstValue("Location").orElseThrow();
        assertTrue(back.startsWith(returnUrl + "?token="), back);
        String idpSession = cookie(signedIn, "idp_session").orElseThrow(() -> new AssertionError("no IdP session"));

        // 4. the gateway accepts the token and sends the member on to /topic/1, signed in
        Response landed = given().redirects().follow(false).urlEncodingEnabled(false)
                .cookie("community_sign_on", state).get(back);
        assertEquals(302, landed.statusCode(), landed.asString());
        assertTrue(landed.header("Location").endsWith("/topic/1"), landed.header("Location"));
        String session = landed.getCookie("community_session");
        assertNotNull(session, "community_session cookie");
        given().cookie("community_session", session).get("/auth/session").then().statusCode(200)
                .body("username", equalTo(username))
                .body("email", equalTo(id + "@sample.test"))
                .body("customRoles", equalTo(List.of("4", "5")))
                .body("connector", equalTo("node-sample"))
                .body("externalId", equalTo(id));

        // 5. a second sign-on while the IdP session lasts: the sample answers with a token at once
        Response again = given().redirects().follow(false).queryParam("return_url", "/topic/2")
                .get("/auth/node-sample/login");
        HttpResponse<String> quick = http.send(HttpRequest.newBuilder(URI.create(again.header("Location")))
                .header("Cookie", "idp_session=" + idpSession).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, quick.statusCode(), quick.body());
        Response landedAgain = given().redirects().follow(false).urlEncodingEnabled(false)
                .cookie("community_sign_on", again.getCookie("community_sign_on"))
                .get(quick.headers().firstValue("Location").orElseThrow());
        assertEquals(302, landedAgain.statusCode(), landedAgain.asString());
        assertTrue(landedAgain.header("Location").endsWith("/topic/2"), landedAgain.header("Location"));
        given().cookie("community_session", landedAgain.getCookie("community_session")).get("/auth/session")
                .then().statusCode(200).body("externalId", equalTo(id)).body("username", equalTo(username));

        // 6. sign-off through the gateway: session ended, member sent to the sample's /sso/logout …
        Response logout = given().redirects().follow(false).cookie("community_session", session).get("/auth/logout");
        assertEquals(302, logout.statusCode(), logout.asString());
        URI signOff = URI.create(logout.header("Location"));
        assertEquals(idp("/sso/logout"), signOff.getScheme() + "://" + signOff.getAuthority() + signOff.getPath());
        String target = query(signOff, "return_url");
        assertNotNull(target, "sign-off return_url");
        assertTrue(target.startsWith(gateway() + "/"), target);
        given().cookie("community_session", session).get("/auth/session").then().statusCode(401);

        // … which ends its own session and sends the member back to the community
        HttpResponse<String> signedOff = http.send(HttpRequest.newBuilder(signOff)
                .header("Cookie", "idp_session=" + idpSession).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, signedOff.statusCode(), signedOff.body());
        assertEquals(target, signedOff.headers().firstValue("Location").orElseThrow());
        assertEquals(Optional.of(""), cookie(signedOff, "idp_session"), "IdP session cookie cleared");
        HttpResponse<String> formAgain = http.send(HttpRequest.newBuilder(sso)
                .header("Cookie", "idp_session=" + idpSession).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, formAgain.statusCode(), "the IdP session is gone: the sign-in form again");
    }

    @Test
    void publicKeyFromTheSampleAsJwtPublicKeyVerifiesItsTokens() throws Exception {
        // the README: start the sample with PRIVATE_KEY_FILE, configure its /public-key.pem as jwt.public-key
        HttpResponse<String> pem = get(idp("/public-key.pem"));
        assertEquals(200, pem.statusCode());
        String configured = ConfigProvider.getConfig()
                .getValue("gateway.connectors.node-sample-pem.jwt.public-key", String.class);
        assertEquals(configured.replaceAll("\\s", ""), pem.body().replaceAll("\\s", ""));

        String id = "pem-" + UUID.randomUUID();
        Response login = given().redirects().follow(false).queryParam("return_url", "/topic/3")
                .get("/auth/node-sample-pem/login");
        assertEquals(302, login.statusCode(), login.asString());
        String returnUrl = query(URI.create(login.header("Location")), "return_url");
        assertEquals(gateway() + "/auth/node-sample-pem/return", returnUrl);
        HttpResponse<String> signedIn = postForm(idp("/sso"), Map.of("return_url", returnUrl, "id", id,
                "username", "pem" + id.substring(4, 12)), null);
        assertEquals(302, signedIn.statusCode(), signedIn.body());
        Response landed = given().redirects().follow(false).urlEncodingEnabled(false)
                .cookie("community_sign_on", login.getCookie("community_sign_on"))
                .get(signedIn.headers().firstValue("Location").orElseThrow());
        assertEquals(302, landed.statusCode(), landed.asString());
        assertTrue(landed.header("Location").endsWith("/topic/3"), landed.header("Location"));
        given().cookie("community_session", landed.getCookie("community_session")).get("/auth/session")
                .then().statusCode(200).body("connector", equalTo("node-sample-pem")).body("externalId", equalTo(id));
    }

    @Test
    void theSampleRefusesToRedirectOffTheGateway() throws Exception {
        String gatewayReturn = gateway() + "/auth/node-sample/return";
        // sanity: the gateway's own return URL is accepted
        assertEquals(200, get(idp("/sso") + "?return_url=" + encode(gatewayReturn)).statusCode());

        String port = String.valueOf(RestAssured.port);
        for (String evil : List.of("https://evil.test/auth/node-sample/return",
                "http://localhost.evil.test:" + port + "/auth/node-sample/return",
                "http://127.0.0.2:" + port + "/auth/node-sample/return",
                "//evil.test/auth/node-sample/return",
                gateway() + "/topic/1", // the gateway's origin, but not its /auth/ endpoints
                gatewayReturn + "?next=https://evil.test")) {
            HttpResponse<String> shown = get(idp("/sso") + "?return_url=" + encode(evil));
            assertEquals(400, shown.statusCode(), evil);
            assertFalse(shown.body().contains("<form"), evil);
            HttpResponse<String> posted = postForm(idp("/sso"), Map.of("return_url", evil, "id", "attacker"), null);
            assertEquals(400, posted.statusCode(), evil);
            assertEquals(Optional.empty(), posted.headers().firstValue("Location"), evil);
        }
        assertEquals(400, get(idp("/sso")).statusCode(), "no return_url at all");

        // after sign-off, only the community's origins
        HttpResponse<String> offSite = get(idp("/sso/logout") + "?return_url=" + encode("https://evil.test/"));
        assertEquals(200, offSite.statusCode());
        assertEquals(Optional.empty(), offSite.headers().firstValue("Location"));
        HttpResponse<String> home = get(idp("/sso/logout") + "?return_url=" + encode(gateway() + "/"));
        assertEquals(302, home.statusCode());
        assertEquals(gateway() + "/", home.headers().firstValue("Location").orElseThrow());
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static String gateway() {
        return "http://localhost:" + RestAssured.port;
    }

    private static String idp(String path) {
        return "http://localhost:" + idpPort + path;
    }

    private void awaitAnswer() throws Exception {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (true) {
            if (!node.isAlive()) {
                throw new AssertionError("the sample IdP exited with " + node.exitValue() + ": " + log());
            }
            try {
                HttpResponse<String> jwks = get(idp("/jwks.json"));
                assertEquals(200, jwks.statusCode(), jwks.body());
                assertTrue(jwks.body().contains("\"kid\":\"sample-key-1\""), jwks.body());
                return;
            } catch (IOException notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("the sample IdP did not answer on port " + idpPort + " within "
                            + START_TIMEOUT + ": " + log(), notYet);
                }
                Thread.sleep(100);
            }
        }
    }

    private static String log() {
        try {
            return nodeLog == null ? "" : Files.readString(nodeLog);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postForm(String url, Map<String, String> fields, String cookie)
            throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder();
        fields.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(encode(k)).append('=').append(encode(v)));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String query(URI uri, String name) {
        if (uri.getRawQuery() == null) {
            return null;
        }
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** The value of a hidden form field (the sample escapes it as HTML; a URL needs no unescaping here). */
    private static String hidden(String html, String name) {
        Matcher m = Pattern.compile("<input type=\"hidden\" name=\"" + name + "\" value=\"([^\"]*)\">").matcher(html);
        assertTrue(m.find(), "hidden field " + name + " in " + html);
        return m.group(1);
    }

    /** The value the response sets for a cookie, if it sets it. */
    private static Optional<String> cookie(HttpResponse<?> response, String name) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(name.length() + 1).split(";", 2)[0]).findFirst();
    }
}
