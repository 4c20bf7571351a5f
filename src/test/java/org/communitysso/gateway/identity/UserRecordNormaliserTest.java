package org.communitysso.gateway.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.connector.jwt.JwtConnectorFactory;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.testing.ConnectorConfigs;
import org.communitysso.gateway.testing.InMemoryReplayGuard;
import org.communitysso.gateway.testing.MovableTimeSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Claims to user record: where each field is read from (the connector's mapping
 * or its defaults), and which values are refused. The rules for each value on
 * its own are in {@link UserDataRulesTest}; this is about the mapping around them.
 */
class UserRecordNormaliserTest {

    static Connector plain;
    static Connector mapped;
    final UserRecordNormaliser normaliser = new UserRecordNormaliser();

    /** Connectors as start-up builds them: {@code plain} has the token connector's default names. */
    @BeforeAll
    static void connectors() {
        String c = "gateway.connectors.";
        Map<String, String> p = new HashMap<>();
        for (String id : List.of("plain", "mapped")) {
            p.put(c + id + ".type", "jwt");
            p.put(c + id + ".sign-on-url", "https://idp.test/sso");
            p.put(c + id + ".jwt.shared-secret", "0123456789abcdef0123456789abcdef-unit-test");
        }
        p.put(c + "mapped.mapping.id", "sub");
        p.put(c + "mapped.mapping.username", "profile.nick");
        p.put(c + "mapped.mapping.email", "/profile/emails/1/value");
        p.put(c + "mapped.mapping.avatar", "profile.pictures.0");
        p.put(c + "mapped.mapping.custom-roles", "roles");
        p.put(c + "mapped.mapping.groups", "memberOf");
        p.put(c + "mapped.role-mapping.moderators", "10, 11");
        p.put(c + "mapped.role-mapping.staff", "12");
        Map<String, Connector> built = ConnectorConfigs.build(p,
                List.of(new JwtConnectorFactory(new InMemoryReplayGuard(), new MovableTimeSource())));
        plain = built.get("plain");
        mapped = built.get("mapped");
    }

    UserRecord normalise(Connector connector, Map<String, Object> claims) {
        return normaliser.normalise(connector, new ExternalIdentity(connector.id(), claims, null, null));
    }

    /** The field named in the member-facing detail of an invalid_user_data refusal. */
    String refusedField(Connector connector, Map<String, Object> claims) {
        GatewayException e = assertThrows(GatewayException.class, () -> normalise(connector, claims));
        assertEquals("invalid_user_data", e.reason().code());
        String detail = e.memberDetail();
        assertTrue(detail != null && detail.startsWith("The field '"), detail);
        return detail.substring("The field '".length(), detail.indexOf('\'', "The field '".length()));
    }

    static Map<String, Object> claims(Object... pairs) {
        Map<String, Object> claims = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            claims.put((String) pairs[i], pairs[i + 1]);
        }
        return claims;
    }

    // ---- where fields are read from -------------------------------------------------------------

    @Test
    void defaultNamesFillEveryField() {
        UserRecord record = normalise(plain, claims("id", "42", "username", "Kim", "email", "kim@mail.test",
                "customRoles", "1,2", "avatar", "https://img.test/k.png", "other", "ignored"));
        assertEquals(new UserRecord("42", "Kim", "kim@mail.test", List.of("1", "2"), "https://img.test/k.png"), record);
    }

    @Test
    void mappingReadsDottedPathsJsonPointersAndListIndexes() {
        Map<String, Object> profile = Map.of("nick", "kim",
                "emails", List.of(Map.of("value", "old@mail.test"), Map.of("value", "kim@mail.test")),
                "pictures", List.of("https://img.test/1.png", "https://img.test/2.png"));
        UserRecord record = normalise(mapped, claims("sub", "s-1", "profile", profile, "id", "not-this-one"));
        assertEquals("s-1", record.id());
        assertEquals("kim", record.username());
        assertEquals("kim@mail.test", record.email());
        assertEquals("https://img.test/1.png", record.avatar());
        assertNull(record.customRoles(), "no roles claim and no groups: roles are left as they are");
    }

    @Test
    void anExactClaimNameWinsOverTheSamePathReadAsNested() {
        UserRecord record = normalise(mapped, claims("sub", "s-1", "profile.nick", "flat",
                "profile", Map.of("nick", "nested")));
        assertEquals("flat", record.username());
    }

    @Test
    void aPathThatLeadsNowhereIsAnAbsentField() {
        UserRecord record = normalise(mapped, claims("sub", "s-1",
                "profile", Map.of("emails", List.of(Map.of("value", "only@mail.test")), "pictures", "not-a-list")));
        assertNull(record.email(), "index 1 of a one-item list");
        assertNull(record.avatar(), "index into a string");
        assertNull(record.username());
    }

    @Test
    void numbersAreReadAsText() {
        UserRecord record = normalise(plain, claims("id", 1234567890123L, "username", 2024, "customRoles", 7));
        assertEquals("1234567890123", record.id());
        assertEquals("2024", record.username());
        assertEquals(List.of("7"), record.customRoles());
    }

    // ---- roles -----------------------------------------------------------------------------------

    static Stream<Arguments> roleShapes() {
        return Stream.of(
                Arguments.of("comma list", "1, 2,,3 ", List.of("1", "2", "3")),
                Arguments.of("JSON array", List.of("1", 2, " 3 "), List.of("1", "2", "3")),
                Arguments.of("one number", 5, List.of("5")),
                Arguments.of("empty string means none", "", List.of()),
                Arguments.of("empty array means none", List.of(), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("roleShapes")
    void rolesAsACommaListOrAnArray(String name, Object value, List<String> expected) {
        assertEquals(expected, normalise(plain, claims("id", "1", "customRoles", value)).customRoles());
    }

    @Test
    void groupsAreMappedToRolesAndAddedToTheGivenOnes() {
        UserRecord record = normalise(mapped, claims("sub", "s", "roles", "3, 10",
                "memberOf", List.of("moderators", "staff", "unknown-group")));
        assertEquals(List.of("3", "10", "11", "12"), record.customRoles(), "given first, then mapped, no duplicates");
    }

    @Test
    void groupsWithoutAMatchingRoleMappingSayNoRoles() {
        assertEquals(List.of(), normalise(mapped, claims("sub", "s", "memberOf", "unknown-group")).customRoles());
    }

    @Test
    void groupsAreIgnoredByAConnectorWithoutRoleMapping() {
        assertNull(normalise(plain, claims("id", "1", "groups", List.of("moderators"))).customRoles());
    }

    // ---- refusals and what is not a refusal -----------------------------------------------------

    @Test
    void aBadUsernameCountsAsAbsentSoTheMemberChoosesOne() {
        assertNull(normalise(plain, claims("id", "1", "username", "<script>")).username());
        assertNull(normalise(plain, claims("id", "1", "username", "x")).username(), "too short");
        assertNull(normalise(plain, claims("id", "1", "username", "   ")).username(), "blank");
        assertEquals("Kim Lee", normalise(plain, claims("id", "1", "username", "  Kim Lee ")).username(),
                "a username is trimmed");
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("missing id", claims("username", "kim"), "id"),
                Arguments.of("empty id", claims("id", ""), "id"),
                Arguments.of("id with a space at the end", claims("id", "abc "), "id"),
                Arguments.of("id with a space at the start", claims("id", " abc"), "id"),
                Arguments.of("id with a control character", claims("id", "a\u0000b"), "id"),
                Arguments.of("id that is an object", claims("id", Map.of("v", 1)), "id"),
                Arguments.of("id longer than 255", claims("id", "x".repeat(256)), "id"),
                Arguments.of("bad email", claims("id", "1", "email", "not-an-email"), "email"),
                Arguments.of("email that is a list", claims("id", "1", "email", List.of("a@mail.test")), "email"),
                Arguments.of("avatar not http(s)", claims("id", "1", "avatar", "javascript:alert(1)"), "avatar"),
                Arguments.of("avatar with user info", claims("id", "1", "avatar", "https://u:p@img.test/a"), "avatar"),
                Arguments.of("role id with a space", claims("id", "1", "customRoles", "1, ad min"), "customRoles"),
                Arguments.of("role list holding an object", claims("id", "1", "customRoles", List.of(Map.of())),
                        "custom-roles"),
                Arguments.of("roles that are an object", claims("id", "1", "customRoles", Map.of("a", 1)),
                        "custom-roles"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusedAsInvalidUserDataNamingTheField(String name, Map<String, Object> claims, String field) {
        assertEquals(field, refusedField(plain, claims));
    }

    @Test
    void aRoleGrantedThroughRoleMappingIsCheckedToo() {
        assertEquals("customRoles", refusedField(mapped, claims("sub", "s", "roles", "bad role")));
    }

    @Test
    void idsAreKeptExactlyAsSent() {
        assertEquals("AbC-\u00e9 x", normalise(plain, claims("id", "AbC-\u00e9 x")).id(), "no trimming, no folding");
        assertEquals("007", normalise(plain, claims("id", "007")).id());
    }
}
