package org.communitysso.gateway.web;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.TreeMap;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.connector.Connector;

/**
 * The auto-submitting XHTML form a connector asks for when its request must be
 * POSTed to the IdP (an HTTP-POST binding). The one inline script is allowed
 * by a per-response nonce; without script a button submits the form.
 */
final class FormPostPage {

    public record Field(String name, String value) {
    }

    private FormPostPage() {
    }

    static Response answer(Connector.FormPost form, NewCookie... cookies) {
        String nonce = Secrets.randomId();
        List<Field> fields = new TreeMap<>(form.fields()).entrySet().stream()
                .map(e -> new Field(e.getKey(), e.getValue())).toList();
        String html = Pages.formPost(form.action().toString(), fields, nonce).render();
        String origin = form.action().getScheme() + "://" + form.action().getRawAuthority();
        return Response.ok(html, MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .header("Content-Security-Policy", "default-src 'none'; script-src 'nonce-" + nonce + "'; "
                        + "style-src 'unsafe-inline'; form-action " + origin + "; frame-ancestors 'none'; base-uri 'none'")
                .cookie(cookies)
                .build();
    }
}
