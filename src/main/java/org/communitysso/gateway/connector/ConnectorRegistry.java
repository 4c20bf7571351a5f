package org.communitysso.gateway.connector;

import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import io.smallrye.config.NameIterator;
import io.smallrye.config.SmallRyeConfig;
import java.util.TreeSet;
import org.communitysso.gateway.config.ConnectorConfig;
import org.eclipse.microprofile.config.Config;
import org.communitysso.gateway.config.GatewayConfig;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.jboss.logging.Logger;

/**
 * The connectors built from {@code gateway.connectors.*}. Built at start-up:
 * a missing or invalid setting stops the gateway with a message naming the key.
 */
@Startup
@ApplicationScoped
public class ConnectorRegistry {

    private static final Logger LOG = Logger.getLogger(ConnectorRegistry.class);
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    static final Set<String> MAPPABLE_FIELDS = Set.of("id", "username", "email", "custom-roles", "avatar", "groups");

    private final Map<String, Connector> connectors;
    private final Set<String> stateParameters;
    /** Shared return path segment ({@code /auth/<alias>/return}) to the type it serves, as the factories declare. */
    private final Map<String, String> returnAliases;

    @Inject
    public ConnectorRegistry(Config config, Instance<ConnectorFactory> factories, GatewayRoutes routes) {
        List<ConnectorFactory> all = factories.stream().toList();
        this.connectors = build(config.unwrap(SmallRyeConfig.class), all, routes);
        this.returnAliases = returnAliases(all);
        this.stateParameters = connectors.values().stream().flatMap(c -> c.stateParameter().stream())
                .collect(Collectors.toUnmodifiableSet());
        LOG.infof("connectors: %s", connectors.isEmpty() ? "none configured" : String.join(", ", connectors.keySet()));
    }

    /**
     * Builds and validates every connector of {@code gateway.connectors.*} in
     * {@code config} (which has {@link GatewayConfig} and each factory's mapping);
     * throws naming every bad key.
     */
    public static Map<String, Connector> build(SmallRyeConfig config, Collection<ConnectorFactory> factories,
            GatewayRoutes routes) {
        Map<String, ConnectorConfig> configs = config.getConfigMapping(GatewayConfig.class).connectors();
        Map<String, ConnectorFactory> byType = factories.stream()
                .collect(Collectors.toMap(ConnectorFactory::type, f -> f));
        Set<String> aliases = returnAliases(factories).keySet();
        ConfigProblems problems = new ConfigProblems();
        untyped(config, configs.keySet()).forEach(id -> problems.add(id, "type", "is required"));
        Map<String, Connector> built = new LinkedHashMap<>();
        for (Map.Entry<String, ConnectorConfig> entry : new TreeMap<>(configs).entrySet()) {
            String id = entry.getKey();
            ConnectorConfig common = entry.getValue();
            if (!ID.matcher(id).matches() || aliases.contains(id) || routes.reservedIds().contains(id)) {
                problems.add(id, "type", "connector id '" + id
                        + "' must be a lower-case slug (a-z, 0-9, -) and not one of " + new TreeSet<>(aliases)
                        + " nor of the gateway's own pages " + new TreeSet<>(routes.reservedIds()));
                continue;
            }
            ConnectorFactory factory = byType.get(common.type());
            if (factory == null) {
                problems.add(id, "type", "'" + common.type() + "' is not a connector type this gateway supports "
                        + byType.keySet());
                continue;
            }
            ConnectorSettings settings = settings(id, common, problems, routes, factory.returnAlias());
            Connector connector = factory.create(settings,
                    new ConnectorFactory.Context(common, config, routes), problems);
            if (connector != null) {
                built.put(id, connector);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Invalid connector configuration:\n  - "
                    + String.join("\n  - ", problems.all()));
        }
        return Map.copyOf(built);
    }

    private static ConnectorSettings settings(String id, ConnectorConfig config, ConfigProblems problems,
            GatewayRoutes routes, String returnAlias) {
        for (String field : config.mapping().keySet()) {
            if (!MAPPABLE_FIELDS.contains(field)) {
                problems.add(id, "mapping." + field, "unknown field; use one of " + new TreeMap<>(
                        MAPPABLE_FIELDS.stream().collect(Collectors.toMap(f -> f, f -> f))).keySet());
            }
        }
        config.icon().ifPresent(icon -> problems.httpUrl(id, "icon", Optional.of(icon), false));
        if (config.connectTimeout().isNegative() || config.connectTimeout().isZero()) {
            problems.add(id, "connect-timeout", "must be positive");
        }
        if (config.readTimeout().isNegative() || config.readTimeout().isZero()) {
            problems.add(id, "read-timeout", "must be positive");
        }
        config.session().inactivityTimeout().filter(d -> d.isNegative() || d.isZero())
                .ifPresent(d -> problems.add(id, "session.inactivity-timeout", "must be positive"));
        Map<String, List<String>> roleMapping = new LinkedHashMap<>();
        config.roleMapping().forEach((group, roles) -> roleMapping.put(group,
                Arrays.stream(roles.split(",")).map(String::trim).filter(r -> !r.isEmpty()).toList()));
        return new ConnectorSettings(
                id,
                config.type(),
                config.label().filter(l -> !l.isBlank()).orElseGet(() -> defaultLabel(id, config.type())),
                config.icon(),
                config.enabled(),
                config.testing(),
                config.trustEmail(),
                problems.httpUrlOrPath(id, "sign-off-url", config.signOffUrl(), false),
                returnUrl(id, config.returnUrl(), problems, routes, returnAlias),
                config.session().inactivityTimeout(),
                config.session().absoluteLifetime(),
                Map.copyOf(config.mapping()),
                Map.copyOf(roleMapping));
    }

    /** "Login with Acme Account" for connector {@code acme} (Kinvey's default), "… Facebook …" for the facebook type. */
    static String defaultLabel(String id, String type) {
        String name = "facebook".equals(type) ? "Facebook" : Arrays.stream(id.split("-"))
                .filter(word -> !word.isEmpty())
                .map(word -> Character.toUpperCase(word.charAt(0)) + word.substring(1))
                .collect(Collectors.joining(" "));
        return "Login with " + name + " Account";
    }

    /**
     * {@code return-url}: absolute http(s), and a gateway return path of this
     * connector (its own, or its type's shared one), with no query or fragment:
     * the IdP sends its answer exactly there.
     */
    private static Optional<URI> returnUrl(String id, Optional<String> value, ConfigProblems problems,
            GatewayRoutes routes, String returnAlias) {
        Optional<URI> url = problems.httpUrl(id, "return-url", value, false);
        if (url.isEmpty()) {
            return url;
        }
        String own = routes.returnPath(id);
        String shared = routes.sharedReturnPath(returnAlias);
        URI uri = url.get();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            problems.add(id, "return-url", "must have no query, fragment or user info");
            return Optional.empty();
        }
        // the gateway may be served under a prefix (https://example.com/sso/auth/<id>/return)
        if (!(path.endsWith(own) || path.endsWith(shared))) {
            problems.add(id, "return-url", "must end in the connector's return path " + own
                    + " or its type's shared one " + shared);
            return Optional.empty();
        }
        return url;
    }

    /** Every configured connector, enabled or not, by id. */
    public List<Connector> all() {
        return connectors.values().stream().sorted(java.util.Comparator.comparing(Connector::id)).toList();
    }

    public Optional<Connector> find(String id) {
        return Optional.ofNullable(connectors.get(id));
    }

    /** The connector for {@code /auth/{id}/…}; refused when unknown or disabled. */
    public Connector require(String id) {
        Connector connector = connectors.get(id);
        if (connector == null) {
            throw new GatewayException(Reason.UNKNOWN_CONNECTOR, null, "no connector '" + safe(id) + "'");
        }
        if (!connector.settings().enabled()) {
            throw new GatewayException(Reason.CONNECTOR_DISABLED, id, "connector is disabled");
        }
        return connector;
    }

    /** What the sign-in page lists: enabled, not in testing. */
    public List<Connector> signInChoices() {
        return connectors.values().stream()
                .filter(c -> c.settings().enabled() && !c.settings().testing())
                .toList();
    }

    public boolean isReturnAlias(String pathSegment) {
        return returnAliases.containsKey(pathSegment);
    }

    private static Map<String, String> returnAliases(Collection<ConnectorFactory> factories) {
        return new TreeMap<>(factories.stream().collect(Collectors.toMap(ConnectorFactory::returnAlias,
                ConnectorFactory::type)));
    }

    /**
     * Connector ids that have keys but none the common mapping knows (only a
     * protocol's, say): they would be skipped without a word, so they are
     * reported like a missing {@code type}.
     */
    private static Set<String> untyped(SmallRyeConfig config, Set<String> known) {
        Set<String> ids = new TreeSet<>();
        for (String name : config.getPropertyNames()) {
            NameIterator names = new NameIterator(name);
            if (!names.hasNext() || !names.getNextSegment().equals("gateway")) {
                continue;
            }
            names.next();
            if (!names.hasNext() || !names.getNextSegment().equals("connectors")) {
                continue;
            }
            names.next();
            if (names.hasNext()) {
                String id = names.getNextSegment();
                names.next();
                if (names.hasNext() && !known.contains(id)) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    /** Whether answers at {@code /auth/{pathSegment}/return} may be for {@code connector}: its own path, or its type's shared one. */
    public boolean serves(String pathSegment, Connector connector) {
        return pathSegment.equals(connector.id())
                || connector.settings().type().equals(returnAliases.get(pathSegment));
    }

    /** The parameters in which IdPs echo a sign-on's state, over every configured protocol. */
    public Set<String> stateParameters() {
        return stateParameters;
    }

    /**
     * The connector an unsolicited answer at a shared return URL ({@code /auth/token/return}…)
     * is for: the only live connector of the type, else the one that recognises the
     * answer (e.g. by issuer). Testing connectors are reached through their own URL only.
     */
    public Connector resolveShared(String alias, Connector.Callback callback) {
        String type = returnAliases.get(alias);
        List<Connector> candidates = connectors.values().stream()
                .filter(c -> c.settings().type().equals(type) && c.settings().enabled() && !c.settings().testing())
                .toList();
        if (candidates.isEmpty()) {
            throw new GatewayException(Reason.UNKNOWN_CONNECTOR, null, "no enabled connector of type " + type);
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        List<Connector> recognising = candidates.stream().filter(c -> c.recognises(callback)).toList();
        if (recognising.size() != 1) {
            throw new GatewayException(Reason.AMBIGUOUS_CONNECTOR, null,
                    recognising.size() + " connectors of type " + type + " match the answer");
        }
        return recognising.get(0);
    }

    private static String safe(String value) {
        if (value == null) {
            return "";
        }
        String cut = value.length() > 64 ? value.substring(0, 64) : value;
        return cut.replaceAll("[^A-Za-z0-9_-]", "?");
    }
}
