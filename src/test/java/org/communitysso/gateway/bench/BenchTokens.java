package org.communitysso.gateway.bench;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.communitysso.gateway.testing.TestTokens;
import org.jose4j.jwt.JwtClaims;

/**
 * Pre-signed RS256 tokens for {@code scripts/bench}'s sign-on run (a {@code main},
 * not a test). Writes the public key (PEM) and one token per line: 90 % for
 * members the bench seeded ({@code member-<n>}, same profile and roles, so a
 * returning sign-on changes nothing), 10 % for new members.
 * <p>
 * {@code BenchTokens <count> <seeded accounts> <public key file> <tokens file>}
 */
public final class BenchTokens {

    static final String ISSUER = "https://idp.bench.test";
    static final String AUDIENCE = "community-sso-gateway";

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        long accounts = Long.parseLong(args[1]);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair key = generator.generateKeyPair();
        Files.writeString(Path.of(args[2]), TestTokens.publicPem(key));
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (BufferedWriter out = Files.newBufferedWriter(Path.of(args[3]))) {
            for (int i = 0; i < count; i++) {
                Map<String, Object> data;
                if (random.nextInt(10) < 9) {
                    long n = 1 + random.nextLong(accounts);
                    data = Map.of("id", "member-" + n, "username", "member" + n, "email", "member" + n + "@bench.test",
                            "customRoles", "1,2");
                } else {
                    String fresh = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
                    data = Map.of("id", "new-" + fresh, "username", "n" + fresh, "email", fresh + "@new.bench.test");
                }
                JwtClaims claims = TestTokens.claims(ISSUER, data);
                claims.setAudience(AUDIENCE);
                claims.setExpirationTimeMinutesInTheFuture(60);
                out.write(TestTokens.signRs256(claims, key, null));
                out.newLine();
            }
        }
    }
}
