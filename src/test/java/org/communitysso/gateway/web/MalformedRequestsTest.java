package org.communitysso.gateway.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.communitysso.gateway.testing.LogCapture;
import org.communitysso.gateway.testing.TestIdp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing an unauthenticated caller sends gets a 500 or puts a stack trace in
 * the log: every malformed input below, at every public route.
 */
@QuarkusTest
@QuarkusTestResource(TestIdp.class)
class MalformedRequestsTest {

    record Route(String method, String path) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /**
     * Sent byte for byte (a raw HTTP/1.1 client: no library tidies it up): {@code query}
     * as is, extra {@code headers} lines, a {@code body}; {@code postOnly} when it is a body.
     */
    record Input(String name, boolean postOnly, String query, String headers, byte[] body) {
        static Input query(String name, String query) {
            return new Input(name, false, query, "", null);
        }

        static Input body(String name, String contentType, byte[] body) {
            return new Input(name, true, null, "Content-Type: " + contentType + "\r\n", body);
        }

        static Input form(String name, String body) {
            return body(name, "application/x-www-form-urlencoded", body.getBytes(StandardCharsets.ISO_8859_1));
        }

        static Input header(String name, String header, String value) {
            return new Input(name, false, null, header + ": " + value + "\r\n", null);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Route> ROUTES = Stream.of(
            "GET /auth/login",
            "GET /auth/acme/login", "GET /auth/corp/login", "GET /auth/portal/login", "GET /auth/oidc-a/login",
            "GET /auth/github/login", "GET /auth/fb/login", "GET /auth/no-such/login",
            "GET /auth/acme/return", "POST /auth/acme/return", "GET /auth/shared/return", "POST /auth/partner/return",
            "GET /auth/oidc-a/return", "POST /auth/oidc-a/return", "GET /auth/github/return", "GET /auth/fb/return",
            "POST /auth/corp/return", "POST /auth/portal/return", "GET /auth/corp/return",
            "GET /auth/token/return", "POST /auth/token/return", "GET /auth/openidconnect/return",
            "GET /auth/oauth2/return", "GET /auth/facebook/return", "POST /auth/saml/return",
            "GET /auth/profile", "POST /auth/profile",
            "GET /auth/link", "POST /auth/link", "GET /auth/account", "POST /auth/account/link",
            "POST /auth/account/unlink", "POST /auth/account/sign-out-everywhere",
            "GET /auth/assets/favicon.ico", "GET /favicon.ico",
            "GET /auth/session", "GET /auth/check",
            "GET /auth/logout", "POST /auth/logout",
            "GET /auth/corp/saml/metadata", "GET /auth/acme/saml/metadata",
            "GET /auth/corp/saml/slo", "POST /auth/corp/saml/slo", "POST /auth/portal/saml/slo",
            "POST /auth/oidc-a/backchannel-logout", "POST /auth/acme/backchannel-logout",
            "GET /sso/authorize", "POST /sso/authorize", "POST /sso/token", "GET /sso/session",
            "GET /sso/session/data", "PUT /sso/session/data", "GET /sso/logout", "POST /sso/logout")
            .map(line -> new Route(line.substring(0, line.indexOf(' ')), line.substring(line.indexOf(' ') + 1)))
            .toList();

    static final String FIELDS = "token,return_url,code,state,error,SAMLResponse,SAMLRequest,RelayState,SigAlg,"
            + "Signature,logout_token,csrf,username,email,prompt,site,ott,ssoSession,resume,connector,choose,linked,"
            + "unlinked";

    static final List<Input> INPUTS = List.of(
            Input.query("bad percent-encoding in the query", every("%zz") + "&%%%&=&&"),
            Input.query("percent-encoding that is not UTF-8 in the query", every("%C0%AF%FF%FE")),
            Input.query("every parameter twice", every("a") + "&" + every("b")),
            Input.query("empty parameters", every("")),
            Input.query("parameters without a value", FIELDS.replace(',', '&')),
            Input.query("huge parameter (20 KB)", "token=" + "A".repeat(20_000) + "&return_url=/" + "a".repeat(3000)),
            Input.query("garbage values", "token=a.b.c&return_url=javascript:alert(1)&code=x&state=y"
                    + "&SAMLResponse=!!!&SAMLRequest=AAAA&SigAlg=x&Signature=%2B%2B&RelayState=x&error=x"
                    + "&logout_token=a..b&prompt=login"),
            Input.query("unbalanced IPv6 return_url", "return_url=http%3A%2F%2F%5B%3A%3A1%2Fx"),
            Input.query("return_url with a NUL and spaces", "return_url=%2F%00a%20b%0D%0AX:%20y"),
            Input.query("return_url with an impossible port", "return_url=https%3A%2F%2Fcommunity.example.com%3A99999%2F"),
            Input.query("return_url with a bad escape", "return_url=https%3A%2F%2Fcommunity.example.com%2F%25zz"),
            Input.query("SAMLRequest that is base64 but not deflate",
                    "SAMLRequest=AAAAAAAA&RelayState=r&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256"
                            + "&Signature=AAAA"),
            Input.query("a known site with garbage", "site=shop&return_url=https%3A%2F%2Fshop.example.com%2Fcb"
                    + "&prompt=none&resume=x&ssoSession=%00&ott=a.b&touch=true"),
            Input.header("malformed Basic credentials", "Authorization", "Basic %%%:::"),
            Input.header("Basic credentials without a colon", "Authorization", "Basic c2hvcA=="),
            Input.form("bad percent-encoding in a form body", "token=%zz&%%%"),
            Input.form("percent-encoding that is not UTF-8 in a form body", every("%FF%FE%C0%80")),
            Input.form("every form field twice", every("a") + "&" + every("b")),
            Input.form("empty form fields", every("")),
            Input.form("huge form field (70 KB)", "token=" + "A".repeat(70_000)),
            Input.form("huge form body (300 KB)", "SAMLResponse=" + "A".repeat(300_000)),
            Input.form("empty form body", ""),
            Input.body("binary garbage as a form", "application/x-www-form-urlencoded", garbage()),
            Input.body("form with a charset that does not exist", "application/x-www-form-urlencoded; charset=no-such",
                    "token=a&logout_token=b&SAMLResponse=c".getBytes(StandardCharsets.US_ASCII)),
            Input.body("text/plain body", "text/plain", "token=abc".getBytes(StandardCharsets.US_ASCII)),
            Input.body("JSON body", "application/json", "{\"token\":[1,{}]".getBytes(StandardCharsets.US_ASCII)),
            Input.body("XML body", "application/xml", "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>"
                    .getBytes(StandardCharsets.US_ASCII)),
            Input.body("multipart without a boundary", "multipart/form-data", garbage()),
            Input.body("octet-stream garbage", "application/octet-stream", garbage()),
            Input.header("malformed cookies", "Cookie", "community_session=\"unterminated; community_sign_on=..~.%zz~"
                    + "a.b.c; community_pending=%%%; =; ;;"),
            Input.header("huge cookies", "Cookie", "community_session=" + "s".repeat(3000) + "; community_sign_on="
                    + "a.b~".repeat(1000) + "; community_pending=" + "p".repeat(2000) + "; community_link=" + "l".repeat(2000)),
            Input.header("cookies given twice", "Cookie", "community_session=a; community_session=b; "
                    + "community_sign_on=x.y; community_sign_on=z.w; community_pending=1; community_pending=2; "
                    + "community_link=1; community_link=2"),
            Input.header("malformed Accept", "Accept", "application/json;q=bogus, text/html;;, */json, ;"),
            Input.header("malformed Content-Type on any request", "Content-Type", ";;charset=="),
            Input.header("Host header with a bad port", "X-Forwarded-Host", "a:b:c[::1"));

    static Stream<Arguments> cases() {
        return INPUTS.stream().flatMap(input -> ROUTES.stream()
                .filter(route -> !input.postOnly() || !route.method().equals("GET"))
                .map(route -> Arguments.of(input, route)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void neverA500NorAStackTrace(Input input, Route route) throws IOException {
        try (LogCapture log = LogCapture.install()) {
            String answer = send(route, input);
            int status = Integer.parseInt(answer.substring(9, 12));
            assertTrue(status < 500, input + " at " + route + " answered " + answer);
            assertEquals(List.of(), log.errors(), input + " at " + route + ": no error and no stack trace logged");
        }
    }

    /** The whole answer (status line first); the connection is closed after one request. */
    private static String send(Route route, Input input) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            byte[] body = input.body() == null ? new byte[0] : input.body();
            String head = route.method() + " " + route.path() + (input.query() == null ? "" : "?" + input.query())
                    + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + input.headers()
                    + (input.body() == null && route.method().equals("GET") ? "" : "Content-Length: " + body.length + "\r\n")
                    + "\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            try {
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // the gateway may answer (413) and close before reading a huge body
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            try {
                in.transferTo(answer);
            } catch (IOException e) {
                if (answer.size() < 12) {
                    throw e;
                }
                // reset after the answer was read: the gateway did not read the rest of the body
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** The form body of the security report, at each form-reading route: a 400 with a reason code. */
    @ParameterizedTest
    @ValueSource(strings = {"/auth/acme/return", "/auth/token/return", "/auth/logout", "/auth/profile",
            "/auth/corp/saml/slo", "/auth/oidc-a/backchannel-logout"})
    void formBodyThatIsNotUrlEncodingIsABadRequest(String path) {
        try (LogCapture log = LogCapture.install()) {
            Response response = given().redirects().follow(false)
                    .contentType("application/x-www-form-urlencoded").body("token=%zz&%%%").post(path);
            assertEquals(400, response.statusCode(), response.asString());
            assertTrue(response.asString().contains("request_malformed"), response.asString());
            assertEquals(List.of(), log.errors(), "no error and no stack trace logged");
        }
    }

    /** {@code name=value} for every parameter the gateway reads. */
    private static String every(String value) {
        return Stream.of(FIELDS.split(",")).map(name -> name + "=" + value).reduce((a, b) -> a + "&" + b).orElseThrow();
    }

    private static byte[] garbage() {
        byte[] bytes = new byte[4096];
        new Random(42).nextBytes(bytes);
        return bytes;
    }
}
