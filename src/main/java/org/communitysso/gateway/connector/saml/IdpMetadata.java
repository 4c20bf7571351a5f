package org.communitysso.gateway.connector.saml;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import javax.xml.datatype.DatatypeFactory;
import org.communitysso.gateway.connector.IdpCalls;
import java.util.ArrayList;
import java.util.List;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The parts of an IdP's metadata the connector uses: entity id, signing
 * certificates, SSO and SLO URLs, and how long the document may be used
 * ({@code validUntil}, {@code cacheDuration}; null when absent).
 * Kept up to date by {@link IdpMetadataSource}.
 */
record IdpMetadata(String entityId, List<X509Certificate> signingCertificates, String ssoRedirect, String ssoPost,
        String sloRedirect, Instant validUntil, Duration cacheDuration) {

    private static final int MAX_BYTES = 1024 * 1024;

    static IdpMetadata fetch(URI url, Duration timeout) {
        return parse(download("-", url, timeout));
    }

    /** The document's bytes; IllegalArgumentException saying why when it cannot be had. */
    static byte[] download(String connectorId, URI url, Duration timeout) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            HttpResponse<byte[]> response = IdpCalls.time(connectorId, "metadata", () -> client.send(
                    HttpRequest.newBuilder(url).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofByteArray()));
            if (response.statusCode() != 200 || response.body().length > MAX_BYTES) {
                throw new IllegalArgumentException("answered HTTP " + response.statusCode());
            }
            return response.body();
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot be read: " + e.getClass().getSimpleName());
        }
    }

    /** Whether the document says it may no longer be used. */
    boolean expiredAt(Instant now) {
        return validUntil != null && !validUntil.isAfter(now);
    }

    static IdpMetadata parse(byte[] xml) {
        Document document;
        try {
            document = SamlXml.parse(xml);
        } catch (SamlXml.Refused e) {
            throw new IllegalArgumentException("is not well-formed metadata");
        }
        Element entity = document.getDocumentElement();
        if (!SamlXml.is(entity, SamlXml.METADATA, "EntityDescriptor")) {
            throw new IllegalArgumentException("is not a single md:EntityDescriptor");
        }
        List<Element> idps = SamlXml.children(entity, SamlXml.METADATA, "IDPSSODescriptor");
        if (idps.size() != 1) {
            throw new IllegalArgumentException("must hold exactly one IDPSSODescriptor");
        }
        Element idp = idps.get(0);
        List<X509Certificate> certificates = new ArrayList<>();
        for (Element descriptor : SamlXml.children(idp, SamlXml.METADATA, "KeyDescriptor")) {
            String use = descriptor.getAttribute("use");
            if (!use.isEmpty() && !use.equals("signing")) {
                continue;
            }
            var nodes = descriptor.getElementsByTagNameNS(SamlXml.DSIG, "X509Certificate");
            for (int i = 0; i < nodes.getLength(); i++) {
                certificates.add(SamlKeys.certificate(nodes.item(i).getTextContent()));
            }
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("names no signing certificate");
        }
        return new IdpMetadata(entity.getAttribute("entityID"), certificates,
                location(idp, "SingleSignOnService", SamlMessages.REDIRECT_BINDING),
                location(idp, "SingleSignOnService", SamlMessages.POST_BINDING),
                location(idp, "SingleLogoutService", SamlMessages.REDIRECT_BINDING),
                validUntil(entity), cacheDuration(entity));
    }

    private static Instant validUntil(Element entity) {
        String value = entity.getAttribute("validUntil");
        if (value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.trim()).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(value.trim() + "Z");
            } catch (DateTimeParseException again) {
                throw new IllegalArgumentException("has a validUntil that is not a date-time");
            }
        }
    }

    private static Duration cacheDuration(Element entity) {
        String value = entity.getAttribute("cacheDuration");
        if (value.isBlank()) {
            return null;
        }
        try {
            // xs:duration (PT6H, P1D…); months and years are read as the JDK's calendar does
            javax.xml.datatype.Duration duration = DatatypeFactory.newInstance().newDuration(value.trim());
            return Duration.ofMillis(duration.getTimeInMillis(new java.util.Date(0)));
        } catch (Exception e) {
            throw new IllegalArgumentException("has a cacheDuration that is not an xs:duration");
        }
    }

    private static String location(Element idp, String service, String binding) {
        for (Element element : SamlXml.children(idp, SamlXml.METADATA, service)) {
            if (binding.equals(element.getAttribute("Binding"))) {
                return element.getAttribute("Location");
            }
        }
        return null;
    }
}
