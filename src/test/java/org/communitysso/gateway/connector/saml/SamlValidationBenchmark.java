package org.communitysso.gateway.connector.saml;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.communitysso.gateway.testing.SamlTestIdp;

/**
 * Not a test: prints signed-assertion validations per second through the ACS
 * validation path (parse, ids, one-assertion rule, signature, conditions,
 * attributes), on one thread. The replay store's database write is not included.
 * Run: {@code java -cp target/classes:target/test-classes:$(deps) org.communitysso.gateway.connector.saml.SamlValidationBenchmark}
 */
public final class SamlValidationBenchmark {

    public static void main(String[] args) {
        KeyPair idp = SamlTestIdp.rsa();
        X509Certificate certificate = SamlTestIdp.selfSigned(idp, "idp");
        String acs = "https://community.example.com/auth/corp/return";
        SamlResponseValidator validator = new SamlResponseValidator(new SamlResponseValidator.Policy("bench",
                "https://idp.example", "https://community.example.com/saml",
                new SamlSignatures(List.of(certificate.getPublicKey()), false), Duration.ofSeconds(30), true, null));
        SamlTestIdp.ResponseSpec spec = new SamlTestIdp.ResponseSpec(acs, "https://community.example.com/saml",
                "https://idp.example");
        spec.attribute("mail", "alice@example.com").attribute("memberOf", "staff", "moderators");
        byte[] xml = SamlTestIdp.serialise(SamlTestIdp.signedAssertion(spec, idp, certificate))
                .getBytes(StandardCharsets.UTF_8);
        SamlResponseValidator.Expected expected = new SamlResponseValidator.Expected(Set.of(acs), false, null,
                Instant.now());
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        run(validator, xml, expected, 2_000); // warm-up
        long start = System.nanoTime();
        long count = 0;
        while (System.nanoTime() - start < seconds * 1_000_000_000L) {
            count += run(validator, xml, expected, 200);
        }
        double perSecond = count / ((System.nanoTime() - start) / 1e9);
        System.out.printf("SAML ACS validation: %d signed assertions (RSA-2048, SHA-256) in %ds on one thread: %.0f/s%n",
                count, seconds, perSecond);
    }

    private static int run(SamlResponseValidator validator, byte[] xml, SamlResponseValidator.Expected expected, int n) {
        for (int i = 0; i < n; i++) {
            validator.validate(xml, expected);
        }
        return n;
    }
}
