package org.communitysso.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC 6: hostile return_urls are refused (and fall back to the landing page); allowed ones are kept as given. */
class ReturnUrlPolicyTest {

    private final ReturnUrlPolicy policy = new ReturnUrlPolicy(
            List.of("https://community.example.com", "https://www.example.com"), "/welcome");

    @ParameterizedTest(name = "refuses [{0}]")
    @ValueSource(strings = {
            "//evil.test",
            "///evil.test",
            "\\\\evil.test",
            "/\\evil.test",
            "\\/evil.test",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "https://community.example.com@evil.test",
            "https://community.example.com:443@evil.test/",
            "https://user:pass@community.example.com/",
            "https://community.example.com\\@evil.test",
            "https://evil.test",
            "https://community.example.com.evil.test/",
            "https://evil.test#https://community.example.com",
            "https://evil.test/?next=https://community.example.com",
            "http://community.example.com/",
            "ftp://community.example.com/",
            "https://community.example.com:8443/",
            "https://community.example.com:80/",
            "https:evil.test",
            "https:/evil.test",
            "https:///evil.test",
            "//community.example.com/",
            "/%2F%2Fevil.test",
            "/%2f/evil.test",
            "%2F%2Fevil.test",
            "/%5Cevil.test",
            "/%5C%5Cevil.test",
            "/%252F%252Fevil.test",
            "/%09/evil.test",
            "/%0D%0ALocation:%20https://evil.test",
            " //evil.test",
            "/ /evil.test",
            "\t//evil.test",
            "\n/path",
            "/path\r\nSet-Cookie:x=y",
            "https://c\u03bfmmunity.example.com/",
            "/caf\u00e9",
            "relative/path",
            "evil.test",
            "/%",
            "/%zz",
    })
    void refuses(String hostile) {
        assertEquals(Optional.empty(), policy.check(hostile));
        assertEquals("/welcome", policy.targetOrLanding(hostile));
    }

    @Test
    void refusesMissingAndOverlong() {
        assertEquals("/welcome", policy.targetOrLanding(null));
        assertEquals("/welcome", policy.targetOrLanding(""));
        assertEquals("/welcome", policy.targetOrLanding("/" + "a".repeat(3000)));
    }

    @ParameterizedTest(name = "keeps [{0}]")
    @ValueSource(strings = {
            "/",
            "/topic/42",
            "/topic/42?page=2#reply-7",
            "/search?q=single%20sign-on",
            "https://community.example.com",
            "https://community.example.com/forum/new-topic",
            "https://COMMUNITY.example.com/x",
            "https://community.example.com:443/x",
            "https://www.example.com/blog?id=1",
    })
    void keeps(String allowed) {
        assertEquals(Optional.of(allowed), policy.check(allowed));
        assertEquals(allowed, policy.targetOrLanding(allowed));
    }

    @Test
    void allowListEntriesMustBeOrigins() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ReturnUrlPolicy(List.of("community.example.com"), "/"));
    }
}
