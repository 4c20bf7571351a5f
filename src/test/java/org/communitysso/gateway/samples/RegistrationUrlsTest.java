package org.communitysso.gateway.samples;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.communitysso.gateway.testing.TestIdp;
import org.junit.jupiter.api.Test;

/**
 * Every gateway URL a sample ({@code samples/**}) or a guide ({@code docs/connectors/*.md})
 * tells an IdP administrator to register (return URLs, metadata, single logout,
 * back-channel logout) answers: the route exists for that connector id in the test
 * configuration ({@link TestIdp} has a connector for each id the samples use). Each is
 * requested with the method the IdP uses; an empty request is refused with a reason
 * code, but never with 404 or 405.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class RegistrationUrlsTest {

    private static final Pattern GATEWAY_URL = Pattern.compile("https://community\\.example\\.com(/auth/[A-Za-z0-9_./-]+)");

    static Set<String> registeredPaths() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> samples = Files.walk(Path.of("samples"))) {
            samples.filter(Files::isRegularFile).forEach(files::add);
        }
        try (Stream<Path> guides = Files.list(Path.of("docs", "connectors"))) {
            guides.filter(f -> f.toString().endsWith(".md")).forEach(files::add);
        }
        Set<String> paths = new TreeSet<>();
        for (Path file : files) {
            Matcher m = GATEWAY_URL.matcher(Files.readString(file));
            while (m.find()) {
                String path = m.group(1).replaceAll("[./]+$", "");
                if (path.split("/").length > 3) { // /auth/<id>/<something>, not /auth/ itself
                    paths.add(path);
                }
            }
        }
        return paths;
    }

    @Test
    void everyUrlAnAdministratorIsToldToRegisterAnswers() throws IOException {
        Set<String> paths = registeredPaths();
        // the ones the issue names, so a changed pattern cannot make this test vacuous
        assertTrue(paths.containsAll(Set.of("/auth/adfs/saml/metadata", "/auth/corp/saml/metadata",
                "/auth/corp/saml/slo", "/auth/entra/saml/slo", "/auth/keycloak/backchannel-logout",
                "/auth/fb/return", "/auth/github/return", "/auth/okta/return")), "found: " + paths);

        List<String> failures = new ArrayList<>();
        for (String path : paths) {
            if (path.endsWith("/backchannel-logout")) {
                check(failures, "POST", path, given().redirects().follow(false).formParam("logout_token", "x")
                        .post(path));
            } else if (path.endsWith("/return")) {
                check(failures, "GET", path, given().redirects().follow(false).get(path));
                check(failures, "POST", path, given().redirects().follow(false).formParam("RelayState", "x")
                        .post(path));
            } else {
                Response response = given().redirects().follow(false).get(path);
                check(failures, "GET", path, response);
                if (path.endsWith("/saml/metadata") && response.statusCode() != 200) {
                    failures.add("GET " + path + " -> " + response.statusCode() + " (metadata must be 200)");
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static void check(List<String> failures, String method, String path, Response response) {
        int status = response.statusCode();
        if (status == 404 || status == 405 || status >= 500) {
            failures.add(method + " " + path + " -> " + status + " " + response.asString());
        }
    }
}
