package org.communitysso.gateway.web;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
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
                response.putHeader(header.getKey(), header.getValue());
            }
        } else {
            response.setStatusCode(200).putHeader("Content-Type", "application/json;charset=UTF-8");
        }
        for (Map.Entry<String, String> header : SecurityHeaders.HEADERS) {
            response.putHeader(header.getKey(), header.getValue());
        }
        response.putHeader("Content-Security-Policy", SecurityHeaders.CSP);
        if (check) {
            response.end();
        } else {
            response.end(Buffer.buffer(answer.sessionJson()));
        }
    }
}
