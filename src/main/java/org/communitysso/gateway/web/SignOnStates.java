package org.communitysso.gateway.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.config.GatewayConfig;
import org.jboss.logging.Logger;

/**
 * Short-lived, signed, single-use sign-on state. The member's browser holds
 * {@code id.hmac} references (the newest few, so sign-ons started in several
 * tabs each find theirs); the database holds each state under a hash of its
 * id, and taking it deletes it, so it can be used once.
 */
@ApplicationScoped
public class SignOnStates {

    private static final Logger LOG = Logger.getLogger(SignOnStates.class);

    public record State(String connectorId, String target, Map<String, String> protocolData) {
    }

    /** How many sign-ons in flight one browser keeps (tabs). */
    static final int MAX_IN_FLIGHT = 3;
    private static final String SEPARATOR = "~";

    private final ObjectMapper json;
    private final TimeSource time;
    private final GatewayConfig config;
    private final byte[] key;

    @Inject
    public SignOnStates(ObjectMapper json, TimeSource time, GatewayConfig config) {
        this.json = json;
        this.time = time;
        this.config = config;
        this.key = config.stateSecret().map(s -> s.getBytes(StandardCharsets.UTF_8)).orElseGet(() -> {
            LOG.warn("gateway.state-secret is not set: using a random key, so sign-ons in flight do not survive a "
                    + "restart and several gateway instances cannot share them");
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            return random;
        });
    }

    /** A new sign-on id; only the browser's cookie and (hashed) the database hold it. */
    public String newId() {
        return Secrets.randomId();
    }

    /**
     * What the IdP echoes for sign-on {@code id} (in the connector's
     * {@code stateParameter}): derived from the id under the state key, so
     * neither the IdP nor its logs see the cookie's value.
     */
    public String echoValue(String id) {
        return sign("echo", id);
    }

    /**
     * Stores the state of sign-on {@code id}; returns the cookie value: its signed
     * reference first, then the newest still-valid references of {@code existingCookie}.
     */
    public String create(String id, String connectorId, String target, Map<String, String> protocolData,
            String existingCookie) {
        store(id, connectorId, target, protocolData);
        List<String> kept = new ArrayList<>();
        kept.add(id + "." + sign(id));
        for (String other : references(existingCookie)) {
            if (kept.size() < MAX_IN_FLIGHT) {
                kept.add(other);
            }
        }
        return String.join(SEPARATOR, kept);
    }

    /** The browser's sign-on references (signature checked, no database read), newest first. */
    public List<String> references(String cookieValue) {
        if (cookieValue == null || cookieValue.length() > 600) {
            return List.of();
        }
        return Arrays.stream(cookieValue.split(SEPARATOR)).filter(r -> verifiedId(r).isPresent()).toList();
    }

    /** Whether {@code echoed} is the echo value of the sign-on behind {@code reference}. */
    public boolean echoes(String reference, String echoed) {
        return echoed != null && Secrets.constantTimeEquals(echoValue(reference.substring(0, reference.indexOf('.'))),
                echoed);
    }

    /**
     * Takes (uses up) the state behind {@code reference} when its connector is
     * {@code accepted}: one read and one delete in one transaction; empty when it
     * is unknown, expired, already taken, or another connector's (then it stays).
     */
    public Optional<State> take(String reference, Predicate<String> accepted) {
        return verifiedId(reference).flatMap(id -> takeRow(id, accepted));
    }

    /** One read and one delete in one transaction: only the first caller gets the row. */
    private Optional<State> takeRow(String id, Predicate<String> accepted) {
        String hash = Secrets.sha256Hex(id);
        long now = time.nowSeconds();
        return QuarkusTransaction.requiringNew().call(() -> {
            SignOnState state = SignOnState.findById(hash);
            if (state == null || state.expiresAt < now || !accepted.test(state.connectorId)
                    || SignOnState.delete("idHash", hash) != 1) {
                return Optional.<State>empty();
            }
            return Optional.of(new State(state.connectorId, state.target, read(state.protocolData)));
        });
    }

    /** Stores a state row keyed by the hash of {@code id}. */
    private void store(String id, String connectorId, String target, Map<String, String> protocolData) {
        long now = time.nowSeconds();
        QuarkusTransaction.requiringNew().run(() -> {
            SignOnState state = new SignOnState();
            state.idHash = Secrets.sha256Hex(id);
            state.connectorId = connectorId;
            state.target = target;
            state.protocolData = write(protocolData);
            state.createdAt = now;
            state.expiresAt = now + config.signOnTimeout().toSeconds();
            state.persist();
        });
    }

    /** The cookie value without {@code reference}, or null when nothing is left. */
    public static String without(String cookieValue, String reference) {
        List<String> rest = new ArrayList<>(Arrays.asList(cookieValue == null ? new String[0]
                : cookieValue.split(SEPARATOR)));
        rest.remove(reference);
        rest.removeIf(String::isBlank);
        return rest.isEmpty() ? null : String.join(SEPARATOR, rest);
    }

    /**
     * A target kept for the IdP's answer to a sign-off; returns the opaque id
     * the connector hands the IdP (short enough for an 80-byte relay state).
     */
    public String keepSignOffTarget(String connectorId, String target) {
        String id = Secrets.randomId();
        store(id, connectorId, target, Map.of());
        return id;
    }

    /** Takes (once) the target kept under {@code id} for this connector's sign-off. */
    public Optional<String> takeSignOffTarget(String connectorId, String id) {
        if (id == null || id.length() > 64) {
            return Optional.empty();
        }
        return takeRow(id, connectorId::equals).map(State::target);
    }

    @Scheduled(every = "${gateway.sweep-interval:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeExpired() {
        long now = time.nowSeconds();
        QuarkusTransaction.requiringNew().run(() -> SignOnState.delete("expiresAt < ?1", now));
    }

    /**
     * A MAC under the state key for another short-lived proof (the sign-off
     * form's token). State ids never contain ':', so {@code purpose:value}
     * can never pass as a state reference, nor a state signature as this.
     */
    String sign(String purpose, String value) {
        return sign(purpose + ":" + value);
    }

    private Optional<String> verifiedId(String cookieValue) {
        if (cookieValue == null || cookieValue.length() > 200) {
            return Optional.empty();
        }
        int dot = cookieValue.indexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        String id = cookieValue.substring(0, dot);
        String signature = cookieValue.substring(dot + 1);
        return Secrets.constantTimeEquals(sign(id), signature) ? Optional.of(id) : Optional.empty();
    }

    private String sign(String id) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private String write(Map<String, String> data) {
        try {
            return data.isEmpty() ? null : json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> read(String text) {
        if (text == null) {
            return Map.of();
        }
        try {
            return json.readValue(text, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
