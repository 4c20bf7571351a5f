package org.communitysso.gateway.web;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.communitysso.gateway.session.SessionCache;

/**
 * {@code GET /auth/check} and {@code GET /auth/session} for a cached live
 * session, answered on the event loop: no database, no worker thread. Anything
 * else (no or several session cookies, a session not cached or past a
 * deadline) goes on to {@link SessionResource}, which reads the database and
 * caches the answer. Both paths answer byte for byte the same.
 */
@ApplicationScoped
public class CachedSessionRoutes {

    /** Header names and fixed values as pre-encoded ASCII: Vert.x need not validate and encode them per request. */
    private static final Map<String, CharSequence> NAMES = new ConcurrentHashMap<>();
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json;charset=UTF-8");
    private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("Content-Type");
    private static final List<Map.Entry<CharSequence, CharSequence>> SECURITY = Stream.concat(
                    SecurityHeaders.HEADERS.stream(), Stream.of(Map.entry("Content-Security-Policy", SecurityHeaders.CSP)))
            .map(h -> Map.entry(HttpHeaders.createOptimized(h.getKey()), HttpHeaders.createOptimized(h.getValue())))
            .toList();

    @Inject
    SessionCache cache;

    void routes(@Observes Router router) {
        router.get("/auth/check").order(-1).handler(context -> answer(context, true));
        router.get("/auth/session").order(-1).handler(context -> answer(context, false));
    }

    private void answer(RoutingContext context, boolean check) {
        Set<Cookie> cookies = context.request().cookies(Cookies.SESSION);
        SessionCache.Answer answer = cookies.size() == 1 ? cache.hit(cookies.iterator().next().getValue()) : null;
        if (answer == null) {
            context.next();
            return;
        }
        HttpServerResponse response = context.response();
        if (check) {
            response.setStatusCode(202);
            for (Map.Entry<String, String> header : answer.checkHeaders()) {
                response.putHeader(NAMES.computeIfAbsent(header.getKey(), HttpHeaders::createOptimized),
                        header.getValue());
            }
        } else {
            response.setStatusCode(200).putHeader(CONTENT_TYPE, JSON);
        }
        for (Map.Entry<CharSequence, CharSequence> header : SECURITY) {
            response.putHeader(header.getKey(), header.getValue());
        }
        if (check) {
            response.end();
        } else {
            response.end(Buffer.buffer(answer.sessionJson()));
        }
    }
}
