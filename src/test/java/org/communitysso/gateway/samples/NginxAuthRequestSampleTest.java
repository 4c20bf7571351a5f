package org.communitysso.gateway.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.communitysso.gateway.testing.GatewayClient;
import org.communitysso.gateway.testing.TestIdp;
import org.communitysso.gateway.testing.TestTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code samples/nginx/auth_request.conf} in a real nginx (Debian's package; {@code scripts/test}
 * installs it), in front of the gateway under test and a stand-in community application that
 * records the request headers it receives. What an operator checks after putting the sample in
 * place: pages redirect to sign-in without a session, the signed-in member reaches the community
 * in the {@code X-Community-*} headers, a client's own {@code X-Community-*} headers never get
 * through, the gateway's own pages are reachable, and sign-off ends access.
 * <p>
 * The sample's {@code server} block and upstreams are used as written, changed only where the
 * test must (each change must match the sample exactly once, so a reworded sample fails here
 * rather than being tested in a form nobody ships):
 * <ul>
 * <li>upstream {@code community_app} (127.0.0.1:8000) → the stand-in application's free port;</li>
 * <li>upstream {@code sso_gateway} (127.0.0.1:8080) → the gateway under test ({@code RestAssured.port});</li>
 * <li>{@code listen 443 ssl} → {@code listen 127.0.0.1:<free port> ssl}: TLS is kept (not a plain listen)
 * because the sample serves the community over https and forwards {@code X-Forwarded-Proto $scheme};
 * port 443 needs root, so a free port is used;</li>
 * <li>the commented-out {@code ssl_certificate}/{@code ssl_certificate_key} lines → the test certificate
 * for localhost ({@link TestTls}, BouncyCastle) written into the temp dir; the client trusts only it.</li>
 * </ul>
 * nginx runs in the foreground ({@code daemon off}) with its prefix, pid, logs and temp paths in a
 * temp dir; the http {} wrapper around the sample is the test's own.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class NginxAuthRequestSampleTest {

    private static final Path SAMPLE = Path.of("samples", "nginx", "auth_request.conf");
    private static final List<String> COMMUNITY_HEADERS = List.of("X-Community-User-Id", "X-Community-Username",
            "X-Community-Email", "X-Community-Roles", "X-Community-Avatar");

    /** One request the community application received. */
    record Received(String uri, Headers headers) {
    }

    static Path dir;
    static Process nginx;
    static Thread stopOnExit;
    static HttpServer community;
    static final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    static int nginxPort;
    static HttpClient client;
    static AssertionError startFailed;

    @BeforeEach
    void startOnce() throws Exception {
        received.clear();
        if (startFailed != null) {
            throw startFailed;
        }
        if (nginx != null) {
            return;
        }
        try {
            start();
        } catch (AssertionError e) {
            startFailed = e;
            throw e;
        } catch (Exception e) {
            startFailed = new AssertionError("could not run nginx with " + SAMPLE
                    + " (scripts/test installs Debian's nginx when it is missing): " + e, e);
            throw startFailed;
        }
    }

    private static void start() throws Exception {
        // RestAssured.port is the gateway's port once Quarkus has started, which is before each test
        dir = Files.createTempDirectory("nginx-sample");
        community = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        community.createContext("/", exchange -> {
            received.add(new Received(exchange.getRequestURI().toString(), exchange.getRequestHeaders()));
            byte[] body = "community page".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        community.start();
        nginxPort = freePort();
        startNginx(community.getAddress().getPort(), RestAssured.port);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(TestTls.trustingTestCertificate())
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopAll() throws IOException {
        try {
            stopNginx();
        } finally {
            if (community != null) {
                community.stop(0);
                community = null;
            }
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
                dir = null;
            }
        }
    }

    @Test
    void aPageWithoutASessionRedirectsToSignIn() throws Exception {
        HttpResponse<String> page = get("/forum/t/7?page=2", Map.of());
        assertEquals(302, page.statusCode(), page.body());
        String location = page.headers().firstValue("Location").orElseThrow();
        assertEquals("https://localhost:" + nginxPort + "/auth/login?return_url=/forum/t/7?page=2", location);
        assertTrue(received.isEmpty(), "the community application is not asked without a session");

        // the sign-in page it points to is the gateway's, through nginx
        HttpResponse<String> signIn = get(URI.create(location).getRawPath() + "?" + URI.create(location).getRawQuery(),
                Map.of());
        assertEquals(200, signIn.statusCode(), signIn.body());
        assertTrue(signIn.body().contains("Sign in with Acme"), signIn.body());

        // an unknown session cookie is no session
        HttpResponse<String> forged = get("/forum/t/7", Map.of("Cookie", "community_session=" + UUID.randomUUID()));
        assertEquals(302, forged.statusCode(), forged.body());
        assertTrue(forged.headers().firstValue("Location").orElseThrow().contains("/auth/login?return_url=/forum/t/7"));
        assertTrue(received.isEmpty());
    }

    @Test
    void aClientsOwnCommunityHeadersWithoutASessionGetNowhere() throws Exception {
        HttpResponse<String> page = get("/forum/admin", Map.of("X-Community-User-Id", "1",
                "X-Community-Username", "admin", "X-Community-Roles", "1,2,3"));
        assertEquals(302, page.statusCode(), page.body());
        assertTrue(page.headers().firstValue("Location").orElseThrow().contains("/auth/login?return_url=/forum/admin"));
        assertTrue(received.isEmpty(), "the community application is not asked without a session");
    }

    @Test
    void theSignedInMemberReachesTheCommunityInTheHeaders() throws Exception {
        String id = "nginx-" + UUID.randomUUID();
        String username = "Zoë " + id.substring(6, 14);
        String session = signOn(Map.of("id", id, "username", username, "email", id + "@acme.test",
                "customRoles", "1, 2, 3", "avatar", "https://cdn.acme.test/z.png"));

        // /auth/session through nginx: who the community is told about
        HttpResponse<String> who = get("/auth/session", Map.of("Cookie", "community_session=" + session));
        assertEquals(200, who.statusCode(), who.body());
        JsonPath json = JsonPath.from(who.body());
        assertEquals(username, json.getString("username"));
        String userId = json.getString("userId");
        assertNotNull(userId);

        HttpResponse<String> page = get("/forum/t/7?page=2", Map.of("Cookie", "community_session=" + session));
        assertEquals(200, page.statusCode(), page.body());
        assertEquals("community page", page.body());
        Received request = received.poll(5, TimeUnit.SECONDS);
        assertNotNull(request);
        assertEquals("/forum/t/7?page=2", request.uri());
        assertEquals(List.of(userId), request.headers().get("X-Community-User-Id"));
        assertEquals(List.of("Zo%C3%AB " + id.substring(6, 14)), request.headers().get("X-Community-Username"),
                "non-ASCII arrives percent-encoded (UTF-8)");
        assertEquals(List.of(id + "@acme.test"), request.headers().get("X-Community-Email"));
        assertEquals(List.of("1,2,3"), request.headers().get("X-Community-Roles"));
        assertEquals(List.of("https://cdn.acme.test/z.png"), request.headers().get("X-Community-Avatar"));
        assertEquals(List.of("https"), request.headers().get("X-Forwarded-Proto"));
        assertEquals(List.of("localhost"), request.headers().get("Host"));
    }

    @Test
    void aClientsOwnCommunityHeadersNeverGetThroughWithASession() throws Exception {
        String id = "nginx-" + UUID.randomUUID();
        String username = "plain" + id.substring(6, 14);
        // no email, no avatar, no roles: those arrive as no header at all, whatever the client sent
        String session = signOn(Map.of("id", id, "username", username));
        String userId = JsonPath.from(get("/auth/session", Map.of("Cookie", "community_session=" + session)).body())
                .getString("userId");
        assertNotNull(userId);

        HttpResponse<String> page = get("/forum/t/8", Map.of("Cookie", "community_session=" + session,
                "X-Community-User-Id", "1", "X-Community-Username", "admin", "X-Community-Email", "admin@acme.test",
                "X-Community-Roles", "1,2,3", "X-Community-Avatar", "https://evil.test/a.png"));
        assertEquals(200, page.statusCode(), page.body());
        Received request = received.poll(5, TimeUnit.SECONDS);
        assertNotNull(request);
        assertEquals(List.of(userId), request.headers().get("X-Community-User-Id"));
        assertEquals(List.of(username), request.headers().get("X-Community-Username"));
        assertNull(request.headers().get("X-Community-Email"), "the client's own email header got through");
        assertNull(request.headers().get("X-Community-Avatar"), "the client's own avatar header got through");
        assertNull(request.headers().get("X-Community-Roles"), "the client's own roles header got through");
        for (String name : COMMUNITY_HEADERS) {
            List<String> values = request.headers().get(name);
            assertTrue(values == null || values.size() == 1, name + " arrived more than once: " + values);
        }
    }

    @Test
    void afterSignOffThePageRedirectsToSignInAgain() throws Exception {
        String id = "nginx-" + UUID.randomUUID();
        String session = signOn(Map.of("id", id, "username", "leaving" + id.substring(6, 14)));
        assertEquals(200, get("/forum/t/9", Map.of("Cookie", "community_session=" + session)).statusCode());
        assertNotNull(received.poll(5, TimeUnit.SECONDS));

        // the community's "Sign out" link, followed by the member's browser on the community's own origin
        HttpResponse<String> signOff = get("/auth/logout?return_url=/forum",
                Map.of("Cookie", "community_session=" + session, "Sec-Fetch-Site", "same-origin"));
        assertEquals(302, signOff.statusCode(), signOff.body());
        assertTrue(signOff.headers().firstValue("Location").orElseThrow().startsWith(TestIdp.ACME_ISSUER + "/logout"),
                signOff.headers().firstValue("Location").orElseThrow());
        assertTrue(signOff.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.startsWith("community_session=;")
                || c.startsWith("community_session=\"\"") || c.contains("Max-Age=0")), signOff.headers().toString());

        HttpResponse<String> page = get("/forum/t/9", Map.of("Cookie", "community_session=" + session));
        assertEquals(302, page.statusCode(), page.body());
        assertEquals("https://localhost:" + nginxPort + "/auth/login?return_url=/forum/t/9",
                page.headers().firstValue("Location").orElseThrow());
        assertTrue(received.isEmpty(), "the community application is not asked after sign-off");
        assertEquals(401, get("/auth/session", Map.of("Cookie", "community_session=" + session)).statusCode());
    }

    @Test
    void sessionIsReachableThroughNginxWithoutASession() throws Exception {
        HttpResponse<String> who = get("/auth/session", Map.of());
        assertEquals(401, who.statusCode(), who.body());
        assertEquals("no_session", JsonPath.from(who.body()).getString("error"));
    }

    // --- helpers

    /** Signs on through the acme jwt connector at the gateway; returns the community_session cookie. */
    private static String signOn(Map<String, Object> userData) {
        var back = GatewayClient.signOnAcme(userData, "/forum");
        assertEquals(302, back.statusCode(), back.asString());
        String session = back.getCookie("community_session");
        assertNotNull(session, "no session after sign-on: " + back.headers());
        return session;
    }

    private static HttpResponse<String> get(String pathAndQuery, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + nginxPort + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).GET();
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sample with the test's changes; each must match exactly once. */
    static String adaptedSample(int communityPort, int gatewayPort, Path cert, Path key) throws IOException {
        String sample = Files.readString(SAMPLE);
        sample = replaceOnce(sample, "server 127.0.0.1:8000;", "server 127.0.0.1:" + communityPort + ";");
        sample = replaceOnce(sample, "server 127.0.0.1:8080;", "server 127.0.0.1:" + gatewayPort + ";");
        // still TLS, as the sample serves the community (X-Forwarded-Proto https); 443 needs root
        sample = replaceOnce(sample, "listen 443 ssl;", "listen 127.0.0.1:" + nginxPort + " ssl;");
        sample = replaceOnce(sample, "# ssl_certificate     /etc/nginx/tls/community.crt;", "ssl_certificate " + cert + ";");
        sample = replaceOnce(sample, "# ssl_certificate_key /etc/nginx/tls/community.key;", "ssl_certificate_key " + key + ";");
        return sample;
    }

    private static String replaceOnce(String text, String what, String with) {
        int at = text.indexOf(what);
        if (at < 0 || text.indexOf(what, at + 1) >= 0) {
            fail(SAMPLE + " has changed: expected exactly one \"" + what + "\"");
        }
        return text.substring(0, at) + with + text.substring(at + what.length());
    }

    private static void startNginx(int communityPort, int gatewayPort) throws Exception {
        Path cert = Files.writeString(dir.resolve("community.crt"), TestTls.certificatePem());
        Path key = Files.writeString(dir.resolve("community.key"), TestTls.privateKeyPem());
        Path server = Files.writeString(dir.resolve("auth_request.conf"), adaptedSample(communityPort, gatewayPort, cert, key));
        Path temp = Files.createDirectories(dir.resolve("temp"));
        // Run by root (as in CI containers), nginx would drop its workers to "nobody", who cannot
        // enter the private temp dir: keep the current user, as for anyone else.
        String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
        String conf = user
                + "worker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("error.log") + " warn;\n"
                + "events { worker_connections 64; }\n"
                + "http {\n"
                + "    access_log " + dir.resolve("access.log") + ";\n"
                + "    client_body_temp_path " + temp.resolve("body") + ";\n"
                + "    proxy_temp_path " + temp.resolve("proxy") + ";\n"
                + "    fastcgi_temp_path " + temp.resolve("fastcgi") + ";\n"
                + "    uwsgi_temp_path " + temp.resolve("uwsgi") + ";\n"
                + "    scgi_temp_path " + temp.resolve("scgi") + ";\n"
                + "    include " + server + ";\n"
                + "}\n";
        Path main = Files.writeString(dir.resolve("nginx.conf"), conf);
        Path out = dir.resolve("nginx.out");
        String binary = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
        nginx = new ProcessBuilder(binary, "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
                "-c", main.toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        stopOnExit = new Thread(NginxAuthRequestSampleTest::stopNginx, "stop nginx");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!nginx.isAlive()) {
                String why = Files.readString(out) + readIfExists(dir.resolve("error.log"));
                nginx = null;
                fail("nginx did not start (exit) with the sample:\n" + why);
            }
            try (Socket probe = new Socket("127.0.0.1", nginxPort)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        fail("nginx did not listen on " + nginxPort + ":\n" + Files.readString(out) + readIfExists(dir.resolve("error.log")));
    }

    /** SIGTERM to the master (fast shutdown), then anything of it still alive is killed. */
    static synchronized void stopNginx() {
        Process process = nginx;
        nginx = null;
        if (process == null) {
            return;
        }
        List<ProcessHandle> workers = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        workers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        if (stopOnExit != null && Thread.currentThread() != stopOnExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: nothing to remove
            }
            stopOnExit = null;
        }
    }

    private static String readIfExists(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
