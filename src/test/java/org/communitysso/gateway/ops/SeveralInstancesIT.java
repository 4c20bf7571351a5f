package org.communitysso.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.communitysso.gateway.testing.TcpProxy;
import org.communitysso.gateway.testing.TestTokens;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 10 acceptance: two gateway processes (the packaged
 * {@code target/quarkus-app/quarkus-run.jar}, run by {@code ./mvnw verify}
 * after {@code package}) on one MariaDB database, reached through a TCP proxy
 * the test cuts and restores to stand for a database restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeveralInstancesIT {

    private static final String DB_HOST = "127.0.0.1";
    private static final int DB_PORT = 3306;
    private static final String DB = System.getProperty("it.database", "sso_gateway_it");
    private static final String ISSUER = "https://idp.instances.test";
    private static final String AUDIENCE = "community-sso-gateway";
    private static final Duration REVOCATION_LAG = Duration.ofSeconds(1);

    static TcpProxy proxy;
    static KeyPair idpKey;
    static Instance a;
    static Instance b;
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startTwoInstances() throws Exception {
        try (Connection root = root("")) {
            root.createStatement().execute("DROP DATABASE IF EXISTS " + DB);
            root.createStatement().execute("CREATE DATABASE " + DB + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        }
        proxy = new TcpProxy(DB_HOST, DB_PORT);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        idpKey = generator.generateKeyPair();
        // a writes its audit queue only when read or stopped (to see the stop write it); b every second
        a = Instance.start("a", "-Dgateway.admin.audit-flush-interval=1H"); // migrates the schema first
        b = Instance.start("b");
    }

    /** A failed outage test must not leave the database cut off for the tests after it. */
    @AfterEach
    void databaseReachable() {
        proxy.restore();
    }

    @AfterAll
    static void stop() throws IOException {
        for (Instance instance : new Instance[] {a, b}) {
            if (instance != null) {
                instance.process.destroyForcibly();
            }
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    @Order(1)
    void signOnStartedAtOneInstanceCompletesAtTheOtherAndEitherAnswersTheCheck() throws Exception {
        HttpResponse<String> login = a.get("/auth/it/login?return_url=/t/welcome", null);
        assertEquals(302, login.statusCode(), login.body());
        String state = cookie(login, "community_sign_on").orElseThrow();

        HttpResponse<String> back = b.get("/auth/it/return?token=" + token("cross-" + UUID.randomUUID()),
                "community_sign_on=" + state);
        assertEquals(302, back.statusCode(), back.body());
        assertEquals("/t/welcome", URI.create(back.headers().firstValue("Location").orElseThrow()).getPath(),
                "the target kept at A came back at B");
        String session = cookie(back, "community_session").orElseThrow();

        for (int i = 0; i < 3; i++) {
            assertEquals(202, b.check(session).statusCode());
            assertEquals(202, a.check(session).statusCode());
        }
        assertEquals(a.check(session).headers().firstValue("X-Community-User-Id"),
                b.check(session).headers().firstValue("X-Community-User-Id"));
    }

    @Test
    @Order(2)
    void aTokenUsedAtOneInstanceIsRefusedAtTheOther() throws Exception {
        String token = token("replay-" + UUID.randomUUID());
        assertEquals(302, a.get("/auth/it/return?token=" + token, null).statusCode());
        HttpResponse<String> replay = b.get("/auth/it/return?token=" + token, null);
        assertEquals(401, replay.statusCode());
        assertTrue(replay.body().contains("replayed"), replay.body());
    }

    @Test
    @Order(3)
    void signOffAtOneInstanceEndsTheSessionAtTheOtherWithinTheLag() throws Exception {
        String session = signOn(a, "off-" + UUID.randomUUID());
        assertEquals(202, a.check(session).statusCode());
        assertEquals(202, a.check(session).statusCode()); // cached at A
        assertEquals(202, b.check(session).statusCode());

        HttpResponse<String> off = b.get("/auth/logout", "community_session=" + session);
        assertEquals(302, off.statusCode());
        long signedOff = System.nanoTime();
        assertEquals(401, b.check(session).statusCode(), "at once where it happened");
        long seen = waitFor(() -> a.check(session).statusCode() == 401, Duration.ofSeconds(10));
        Duration took = Duration.ofNanos(seen - signedOff);
        System.out.println("revocation reached the other instance after " + took.toMillis() + " ms");
        assertTrue(took.compareTo(REVOCATION_LAG.plusMillis(2000)) <= 0,
                "within the revocation lag (plus a poll's run time on a loaded machine): " + took.toMillis() + " ms");
        assertEquals(401, a.session(session).statusCode());
    }

    @Test
    @Order(4)
    void databaseDownCachedChecksAnswerSignOnsGet503ThenEverythingResumes() throws Exception {
        String atA = signOn(a, "outage-a-" + UUID.randomUUID());
        String atB = signOn(b, "outage-b-" + UUID.randomUUID());
        assertEquals(202, a.check(atA).statusCode());
        assertEquals(202, b.check(atB).statusCode());

        ConcurrentMap<Integer, AtomicInteger> checkStatuses = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> checkers = new ArrayList<>();
        for (Object[] pair : new Object[][] {{a, atA}, {b, atB}}) {
            Thread checker = new Thread(() -> {
                while (running.get()) {
                    try {
                        int status = ((Instance) pair[0]).check((String) pair[1]).statusCode();
                        checkStatuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                    } catch (Exception e) {
                        checkStatuses.computeIfAbsent(-1, s -> new AtomicInteger()).incrementAndGet();
                    }
                }
            });
            checker.start();
            checkers.add(checker);
        }

        long malformedBefore = malformedTokenEvents();
        proxy.cut();
        long downSince = System.nanoTime();
        for (int i = 0; i < 3; i++) { // refused before any database work; their audit rows must wait for it
            assertEquals(400, b.get("/auth/it/return?token=not-a-token", null).statusCode());
        }
        List<Integer> otherStatuses = new ArrayList<>();
        boolean sawHtml503 = false;
        boolean sawJson503 = false;
        while (System.nanoTime() - downSince < Duration.ofSeconds(8).toNanos()) {
            HttpResponse<String> signOnPage = a.get("/auth/it/return?token=" + token("down-" + UUID.randomUUID()), null,
                    "text/html");
            otherStatuses.add(signOnPage.statusCode());
            if (signOnPage.statusCode() == 503) {
                assertTrue(signOnPage.headers().firstValue("Retry-After").isPresent());
                assertTrue(signOnPage.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
                sawHtml503 = true;
            }
            HttpResponse<String> unknown = b.session("never-cached-" + UUID.randomUUID());
            otherStatuses.add(unknown.statusCode());
            if (unknown.statusCode() == 503) {
                assertTrue(unknown.body().contains("\"error\":\"unavailable\""), unknown.body());
                assertTrue(unknown.headers().firstValue("Retry-After").isPresent());
                sawJson503 = true;
            }
            Thread.sleep(200);
        }
        assertTrue(sawHtml503, "sign-ons answered 503 with a page while the database was down: " + otherStatuses);
        assertTrue(sawJson503, "an uncached session check answered 503 JSON: " + otherStatuses);
        assertTrue(otherStatuses.stream().noneMatch(s -> s >= 500 && s != 503), "no 500: " + otherStatuses);

        proxy.restore();
        long back = waitFor(() -> a.get("/auth/it/return?token=" + token("back-" + UUID.randomUUID()), null)
                .statusCode() == 302, Duration.ofSeconds(30));
        waitFor(() -> malformedTokenEvents() >= malformedBefore + 3, Duration.ofSeconds(15)); // queued, then written
        System.out.println("sign-ons resumed " + Duration.ofNanos(back - downSince).toMillis()
                + " ms after the database went down (down for 8 s)");
        running.set(false);
        for (Thread checker : checkers) {
            checker.join();
        }
        System.out.println("cached checks during the outage: " + checkStatuses);
        assertEquals(Map.of(202, checkStatuses.get(202).get()), Map.copyOf(
                checkStatuses.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                        Map.Entry::getKey, e -> e.getValue().get()))), "every cached check answered 202");
        assertTrue(checkStatuses.get(202).get() > 100, "checks kept running: " + checkStatuses);

        // no session lost: each is live at the instance that never cached it (read from the database)
        assertEquals(202, b.check(atA).statusCode());
        assertEquals(202, a.check(atB).statusCode());
        // and the feed carries revocations again
        assertEquals(302, a.get("/auth/logout", "community_session=" + atB).statusCode());
        waitFor(() -> b.check(atB).statusCode() == 401, Duration.ofSeconds(5));
    }

    @Test
    @Order(5)
    void gracefulShutdownWritesPendingActivity() throws Exception {
        String session = signOn(a, "shutdown-" + UUID.randomUUID());
        Thread.sleep(2100); // past the instances' 1 s touch interval
        assertEquals(202, a.check(session).statusCode());
        assertEquals(0, lastSeenMinusCreated(session), "the instances write activity only every hour (or at shutdown)");
        long malformedBefore = malformedTokenEvents();
        assertEquals(400, a.get("/auth/it/return?token=not-a-token", null).statusCode());
        assertEquals(400, a.get("/auth/it/return?token=not-a-token", null).statusCode());
        a.process.destroy(); // SIGTERM
        assertTrue(a.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(lastSeenMinusCreated(session) >= 2, "activity seen just before shutdown was written");
        assertTrue(malformedTokenEvents() >= malformedBefore + 2, "queued audit events were written at shutdown");
        a = null;
    }

    // --- helpers ---------------------------------------------------------------

    private static long malformedTokenEvents() throws Exception {
        try (Connection db = root(DB); var statement = db.prepareStatement(
                "SELECT COUNT(*) FROM audit_events WHERE connector_id = 'it' AND reason = 'token_malformed'")) {
            ResultSet row = statement.executeQuery();
            assertTrue(row.next());
            return row.getLong(1);
        }
    }

    private static long lastSeenMinusCreated(String session) throws Exception {
        try (Connection db = root(DB); var statement = db.prepareStatement(
                "SELECT last_seen_at - created_at FROM sessions WHERE id_hash = SHA2(?, 256)")) {
            statement.setString(1, session);
            ResultSet row = statement.executeQuery();
            assertTrue(row.next());
            return row.getLong(1);
        }
    }

    private static String signOn(Instance instance, String id) throws Exception {
        HttpResponse<String> back = instance.get("/auth/it/return?token=" + token(id), null);
        assertEquals(302, back.statusCode(), back.body());
        return cookie(back, "community_session").orElseThrow();
    }

    private static String token(String id) {
        JwtClaims claims = TestTokens.claims(ISSUER, Map.of("id", id,
                "username", "m" + Integer.toHexString(id.hashCode()) + id.substring(id.length() - 6)));
        claims.setAudience(AUDIENCE);
        return TestTokens.signRs256(claims, idpKey, null);
    }

    private static Optional<String> cookie(HttpResponse<?> response, String name) {
        return response.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(name.length() + 1, c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
                .filter(v -> !v.isEmpty())
                .findFirst();
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls until the condition holds; returns System.nanoTime() when it did. */
    private static long waitFor(Condition condition, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (condition.holds()) {
                return System.nanoTime();
            }
            Thread.sleep(50);
        }
        fail("did not happen within " + limit);
        return 0;
    }

    private static Connection root(String database) throws Exception {
        return DriverManager.getConnection("jdbc:mysql://" + DB_HOST + ":" + DB_PORT + "/" + database, "root", "");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** One gateway process. */
    record Instance(String name, Process process, int port) {

        static Instance start(String name, String... extraOptions) throws Exception {
            int port = freePort();
            Path log = Path.of("target", "it-" + name + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx192m",
                    "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                    "-Dquarkus.http.port=" + port,
                    "-Dquarkus.management.port=" + freePort(),
                    "-Dquarkus.datasource.jdbc.url=jdbc:mysql://127.0.0.1:" + proxy.port() + "/" + DB,
                    "-Dquarkus.datasource.username=root",
                    "-Dquarkus.datasource.password=",
                    "-Dgateway.state-secret=instances-it-shared-state-secret-0123456789",
                    "-Dgateway.session.cookie-secure=false",
                    "-Dgateway.session.touch-interval=1S",
                    "-Dgateway.session.activity-flush-interval=1H",
                    "-Dgateway.session.revocation-lag=" + REVOCATION_LAG.toSeconds() + "S",
                    "-Dgateway.connectors.it.type=jwt",
                    "-Dgateway.connectors.it.label=Sign in with the test IdP",
                    "-Dgateway.connectors.it.sign-on-url=" + ISSUER + "/sso",
                    "-Dgateway.connectors.it.jwt.public-key=" + TestTokens.publicPem(idpKey),
                    "-Dgateway.connectors.it.jwt.algorithms=RS256",
                    "-Dgateway.connectors.it.jwt.issuer=" + ISSUER,
                    "-Dgateway.connectors.it.jwt.audience=" + AUDIENCE));
            command.addAll(List.of(extraOptions));
            command.addAll(List.of("-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString()));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            Instance instance = new Instance(name, process, port);
            long started = System.nanoTime();
            long end = started + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < end) {
                if (!process.isAlive()) {
                    fail("instance " + name + " exited: " + Files.readString(log));
                }
                try {
                    if (instance.check("probe").statusCode() == 401) {
                        System.out.println("instance " + name + " answered after "
                                + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
                        return instance;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            process.destroyForcibly();
            fail("instance " + name + " did not start: " + Files.readString(log));
            return null;
        }

        HttpResponse<String> get(String path, String cookie) throws Exception {
            return get(path, cookie, null);
        }

        HttpResponse<String> get(String path, String cookie, String accept) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(20));
            if (cookie != null) {
                request.header("Cookie", cookie);
            }
            if (accept != null) {
                request.header("Accept", accept);
            }
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> check(String session) throws Exception {
            return get("/auth/check", "community_session=" + session);
        }

        HttpResponse<String> session(String session) throws Exception {
            return get("/auth/session", "community_session=" + session);
        }
    }
}
