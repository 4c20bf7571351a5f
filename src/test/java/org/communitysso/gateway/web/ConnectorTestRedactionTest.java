package org.communitysso.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a connector test report shows of the claims: secrets and tokens never, the rest as received. */
class ConnectorTestRedactionTest {

    @Test
    void secretNamesAndTokenShapedValuesAreRedactedWhereverTheyAre() {
        Map<String, Object> claims = Map.of(
                "sub", "kim",
                "email", "kim@example.org",
                "access_token", "opaque-value",
                "id_token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJraW0ifQ.c2lnbmF0dXJl",
                "profile", Map.of("nick", "kim", "refreshToken", "r-1", "apiKey", "k"),
                "groups", List.of("staff", "eyJhbGciOiJIUzI1NiJ9.eyJhIjoiYiJ9.c2lnbmF0dXJl"),
                "client_secret", "s", "at_hash", "h", "sessionIndex", "_s1", "code", "c");
        @SuppressWarnings("unchecked")
        Map<String, Object> shown = (Map<String, Object>) ConnectorTestRun.redact(claims);
        assertEquals("kim", shown.get("sub"));
        assertEquals("kim@example.org", shown.get("email"));
        for (String name : List.of("access_token", "id_token", "client_secret", "at_hash", "sessionIndex", "code")) {
            assertEquals("[redacted]", shown.get(name), name);
        }
        assertEquals(Map.of("nick", "kim", "refreshToken", "[redacted]", "apiKey", "[redacted]"), shown.get("profile"));
        assertEquals(List.of("staff", "[redacted]"), shown.get("groups"), "a JWT in any value");
    }
}
