package org.communitysso.gateway.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules for usernames, emails and ids on their own, without a running gateway. */
class UserDataRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "bob", "Siobhán O'Brien", "jean-luc.picard", "user_42", "Zoë", "東京Tokyo", "Δημήτρης", "Иван Петров",
        "nguyễn văn an", "สมชาย", "देवनागरी", "ab"
    })
    void acceptsRealNames(String name) {
        assertNull(UserDataRules.usernameProblem(UserDataRules.normaliseUsername(name)), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\u3164",                   // Hangul filler: renders blank
        "\u3164\u3164\u3164",
        "a\u3164b",
        "\u0301\u0301",             // only combining marks
        "\u0336\u0336\u0336\u0336",
        "\u202Eadmin",              // bidi override
        "admin\u202E",
        "ad\u200Bmin",              // zero-width space
        "ad\u034Fmin",              // combining grapheme joiner (a default-ignorable mark)
        "a\uFE0Fb",                 // variation selector
        "\u0430dmin",               // Cyrillic 'а' + Latin 'dmin'
        "p\u0430yp\u0430l",
        "b\u043Eb",                 // Latin b, Cyrillic о
        "\u0661\u0662 12",          // Arabic-Indic digits mixed with ASCII digits
        "...", "'-'", "__",         // no letter or digit
        "a", "<script>", "two  spaces", " lead"
    })
    void refusesNamesThatRenderBlankOrSpoof(String name) {
        assertNotNull(UserDataRules.usernameProblem(UserDataRules.normaliseUsername(name)), name);
    }

    @org.junit.jupiter.api.Test
    void refusesZalgoButNotAFewAccents() {
        assertNotNull(UserDataRules.usernameProblem("a" + "\u0336".repeat(60)));
        assertNotNull(UserDataRules.usernameProblem("ab\u0301\u0308\u0323\u0302\u0300"), "five marks on one letter");
        assertNotNull(UserDataRules.usernameProblem("ab\u0301\u0301"), "the same mark twice renders as one");
        assertNull(UserDataRules.usernameProblem("ab\u0301\u0308"));
    }

    @org.junit.jupiter.api.Test
    void usernamesAreOneNameAfterNfkcCaseFolding() {
        assertEquals(UserDataRules.usernameKey("Bob"), UserDataRules.usernameKey("BOB"));
        assertEquals(UserDataRules.usernameKey("bob"), UserDataRules.usernameKey("\uFF42\uFF4F\uFF42")); // fullwidth
        assertEquals(UserDataRules.usernameKey(UserDataRules.normaliseUsername("Zoe\u0308")),
                UserDataRules.usernameKey("Zoë"));
        assertNotEquals(UserDataRules.usernameKey("böb"), UserDataRules.usernameKey("bob"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "alice@x.test", "o'brien@example.com", "first.last+tag@sub.example.org", "a@b.example",
        "user@new-tld.community", "алиса@пример.рф", "alicé@x.test", "carol@x.tést", "ben&jerry@x.invalid"
    })
    void acceptsAddresses(String email) {
        assertNull(UserDataRules.emailProblem(email), email);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\"><img/src=x/onerror=alert(1)>@x.test",
        "<script>@x.test", "a<b@x.test", "\"quoted\"@x.test", "a(comment)@x.test", "a@[127.0.0.1]",
        "a\u0000b@x.test", "a\u202Eb@x.test", "a\u200Bb@x.test", "a b@x.test", "a\u00A0@x.test",
        "a@b@x.test", "@x.test", "a@", "a@localhost", "a@x..test", "a@.x.test", "a@x.test.",
        "a@-x.test", "not-an-email", "a@x_y.test"
    })
    void refusesWhatIsNotAnAddress(String email) {
        assertNotNull(UserDataRules.emailProblem(email), email);
    }

    @ParameterizedTest
    @CsvSource({
        "Alice@X.Test, alice@x.test",
        "alice@x.test, alice@x.test",
        "carol@x.tést, carol@x.xn--tst-bma",
        "carol@X.TÉST, carol@x.xn--tst-bma",
        "Alicé@x.test, Alicé@x.test",
        "bob@BÜCHER.example, bob@xn--bcher-kva.example"
    })
    void emailsCompareByOneCanonicalForm(String email, String canonical) {
        assertEquals(canonical, UserDataRules.emailKey(email));
    }

    @org.junit.jupiter.api.Test
    void lookAlikeAddressesAreOtherMailboxes() {
        assertNotEquals(UserDataRules.emailKey("alice@x.test"), UserDataRules.emailKey("alicé@x.test"));
        assertNotEquals(UserDataRules.emailKey("carol@x.test"), UserDataRules.emailKey("carol@x.tést"));
        assertNotEquals(UserDataRules.emailKey("bob@x.test"), UserDataRules.emailKey("böb@x.test"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " victim-1", "victim-1 ", "victim-1\t", "a\u0000b"})
    void refusesIdsThatCannotBeComparedExactly(String id) {
        assertNotNull(UserDataRules.idProblem(id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"victim-1", "VICTIM-1", "víctim-1", "victim-1\u00A0", "248289761001", "urn:x:ALICE@X.TEST"})
    void anOpaqueIdIsAcceptedAsSent(String id) {
        assertNull(UserDataRules.idProblem(id));
    }
}
