package org.communitysso.gateway.testing;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClientException;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * Quarkus OIDC's client factory for connector unit tests, without Vert.x or
 * CDI: the token request (authorization_code grant, client_secret_basic) goes
 * out with the JDK HTTP client, asynchronously, so the connector's own
 * {@code await().atMost(read-timeout)} bounds it. Like the real client it fails
 * with an {@link OidcClientException} caused by the {@link IOException} when the
 * endpoint cannot be reached, and with a plain {@link OidcClientException} when
 * it answers with an error status. The real client is exercised by the
 * {@code @QuarkusTest} round trips.
 */
public final class HttpOidcClients implements OidcClients {

    private final HttpClient http;

    public HttpOidcClients() {
        this.http = HttpClient.newHttpClient();
    }

    /** Trusting the servers {@code tls} trusts (the JDK's defaults otherwise), as Quarkus' {@code tls} settings would. */
    public HttpOidcClients(javax.net.ssl.SSLContext tls) {
        this.http = HttpClient.newBuilder().sslContext(tls).build();
    }

    @Override
    public OidcClient getClient() {
        throw new UnsupportedOperationException("connectors build their own clients");
    }

    @Override
    public OidcClient getClient(String id) {
        throw new UnsupportedOperationException("connectors build their own clients");
    }

    @Override
    public Uni<OidcClient> newClient(OidcClientConfig config) {
        return Uni.createFrom().item(new Client(config));
    }

    @Override
    public void close() {
    }

    private final class Client implements OidcClient {
        private final OidcClientConfig config;

        Client(OidcClientConfig config) {
            this.config = config;
        }

        @Override
        public Uni<Tokens> getTokens(Map<String, String> additionalGrantParameters) {
            Map<String, String> form = new LinkedHashMap<>();
            form.put("grant_type", "authorization_code");
            form.putAll(additionalGrantParameters);
            String clientId = config.clientId().orElseThrow();
            String secret = config.credentials().secret().or(() -> config.credentials().clientSecret().value())
                    .orElse("");
            HttpRequest request = HttpRequest.newBuilder(URI.create(config.tokenPath().orElseThrow()))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            (clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString(form.entrySet().stream()
                            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                            .collect(Collectors.joining("&"))))
                    .build();
            return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                    .onFailure().transform(e -> new OidcClientException("token request failed",
                            e instanceof CompletionException && e.getCause() != null ? e.getCause() : e))
                    .map(response -> {
                        if (response.statusCode() != 200) {
                            throw new OidcClientException("token endpoint answered " + response.statusCode() + ": "
                                    + response.body());
                        }
                        JsonObject json = new JsonObject(response.body());
                        return new Tokens(json.getString("access_token"), null, null, json.getString("refresh_token"),
                                null, json, clientId);
                    });
        }

        @Override
        public Uni<Tokens> refreshTokens(String refreshToken, Map<String, String> additionalGrantParameters) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Uni<Boolean> revokeAccessToken(String accessToken, Map<String, String> additionalParameters) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}
