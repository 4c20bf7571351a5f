package org.communitysso.gateway.connector.saml;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.audit.Audit;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.IdpLogoutReceiver;
import org.communitysso.gateway.connector.MetadataPublisher;
import org.communitysso.gateway.connector.ConnectorSettings;
import org.communitysso.gateway.connector.ExternalIdentity;
import org.communitysso.gateway.connector.ReplayGuard;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A SAML 2.0 IdP (SPEC 2.4): SP- and IdP-initiated Web SSO, SP metadata and
 * single logout. The acceptance rules live in {@link SamlResponseValidator}.
 */
public final class SamlConnector implements Connector, IdpLogoutReceiver, MetadataPublisher,
        org.communitysso.gateway.connector.IdpProbe {

    /** NameID is the id; attributes of the user data format's own names are read as they are. */
    private static final Map<String, String> DEFAULT_MAPPING = Map.of("id", "nameId", "username", "username",
            "email", "email", "custom-roles", "customRoles", "avatar", "avatar", "groups", "groups");
    /** The WS-Federation claim types ADFS and Entra ID send as SAML attribute names. */
    private static final String WS_CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/";
    /**
     * Common attribute names and OIDs that fill a claim the IdP did not send under its own name
     * (the user data format's names, and {@code given_name}, {@code family_name}, {@code upn} for
     * {@code mapping.*}); the first present name wins.
     */
    private static final Map<String, List<String>> ALIASES = Map.of(
            "email", List.of("mail", "urn:oid:0.9.2342.19200300.100.1.3", "emailAddress", WS_CLAIMS + "emailaddress"),
            "username", List.of("uid", "urn:oid:0.9.2342.19200300.100.1.1", "preferred_username",
                    WS_CLAIMS + "name", "displayName", "urn:oid:2.16.840.1.113730.3.1.241"),
            "groups", List.of("memberOf", "isMemberOf", "urn:oid:1.3.6.1.4.1.5923.1.5.1.1", "Role",
                    // ADFS "Group" (Token-Groups claim rules), Entra ID group object ids, roles
                    "http://schemas.xmlsoap.org/claims/Group",
                    "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
                    "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"),
            "given_name", List.of("givenName", "urn:oid:2.5.4.42", WS_CLAIMS + "givenname"),
            "family_name", List.of("sn", "surname", "urn:oid:2.5.4.4", WS_CLAIMS + "surname"),
            "upn", List.of(WS_CLAIMS + "upn", "userPrincipalName"),
            "avatar", List.of("picture", "jpegPhotoUrl"));
    /** Single-valued user-data fields: the first value of a multi-valued attribute. */
    private static final Set<String> SINGLE_VALUED = Set.of("email", "username", "avatar", "id", "given_name", "family_name",
            "upn");
    private static final Duration LOGOUT_REQUEST_LIFETIME = Duration.ofMinutes(10);
    private static final int MAX_INFLATED_BYTES = 256 * 1024;
    /** A SAMLResponse (base64) longer than this is refused before it is decoded, as the edge refuses larger posts. */
    static final int MAX_RESPONSE_LENGTH = 64 * 1024;

    /** The validated settings of one saml2 connector. */
    record Settings(String idpEntityId, URI ssoUrl, Optional<URI> sloUrl, String spEntityId, boolean postBinding,
            String nameIdFormat, boolean signRequests, SamlSignatures.Algorithm algorithm, boolean allowIdpInitiated,
            Duration clockSkew, SamlSignatures signatures, KeyPair spKeys, X509Certificate spCertificate,
            IdpMetadataSource metadata) {
    }

    /**
     * The gateway's paths for this connector, from the web edge: its return URL (the
     * ACS), the shared SAML return URL, and its single logout endpoint.
     */
    record Routes(String acs, String sharedAcs, String slo) {
    }

    private final ConnectorSettings settings;
    private final Settings saml;
    private final Routes routes;
    private final SamlResponseValidator validator;
    private final ReplayGuard replayGuard;
    private final TimeSource time;

    SamlConnector(ConnectorSettings settings, Settings saml, Routes routes, ReplayGuard replayGuard, TimeSource time) {
        this.settings = settings;
        this.saml = saml;
        this.routes = routes;
        this.replayGuard = replayGuard;
        this.time = time;
        PrivateKey decryptionKey = saml.spKeys() == null ? null : saml.spKeys().getPrivate();
        this.validator = new SamlResponseValidator(new SamlResponseValidator.Policy(settings.id(), saml.idpEntityId(),
                saml.spEntityId(), saml.signatures(), saml.clockSkew(), saml.allowIdpInitiated(), decryptionKey));
    }

    /** Only a connector configured with saml.idp-metadata-url depends on its IdP at run time. */
    @Override
    public boolean dependsOnIdp() {
        return saml.metadata() != null;
    }

    @Override
    public void probe() {
        if (saml.metadata() != null) {
            saml.metadata().probe();
        }
    }

    /** Fetches the IdP's metadata again when due (or now, {@code force}); whether new metadata was taken. */
    public boolean refreshMetadata(boolean force) {
        return saml.metadata() != null && saml.metadata().refresh(force);
    }

    @Override
    public ConnectorSettings settings() {
        return settings;
    }

    @Override
    public Map<String, String> defaultMapping() {
        return DEFAULT_MAPPING;
    }

    @Override
    public SignOnStart start(SignOnRequest request) {
        String requestId = SamlMessages.newId();
        // RelayState is the edge's opaque sign-on id, never the member's target: that stays in the gateway's state.
        String relayState = request.state();
        String xml = SamlMessages.authnRequest(requestId, time.now(), saml.ssoUrl().toString(),
                request.gatewayReturnUrl(), saml.spEntityId(), saml.nameIdFormat(), request.forceLogin());
        Map<String, String> protocolData = Map.of("requestId", requestId);
        if (saml.postBinding()) {
            String message = saml.signRequests() ? SamlMessages.signXml(xml, saml.spKeys(), saml.spCertificate(),
                    saml.algorithm()) : xml;
            String encoded = Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8));
            return new SignOnStart(saml.ssoUrl(), protocolData,
                    new FormPost(saml.ssoUrl(), Map.of("SAMLRequest", encoded, "RelayState", relayState)));
        }
        return new SignOnStart(redirectBinding(saml.ssoUrl(), "SAMLRequest", xml, relayState, saml.signRequests()),
                protocolData);
    }

    @Override
    public Optional<String> stateParameter() {
        return Optional.of("RelayState");
    }

    /** HTTP-Redirect binding: deflated message, RelayState, and the query signed when asked. */
    private URI redirectBinding(URI endpoint, String parameter, String xml, String relayState, boolean sign) {
        String query = parameter + "=" + encode(SamlMessages.deflateBase64(xml))
                + (relayState == null ? "" : "&RelayState=" + encode(relayState));
        if (sign) {
            query += "&SigAlg=" + encode(saml.algorithm().signatureUri);
            query += "&Signature=" + encode(SamlSignatures.signRedirect(query, saml.algorithm(),
                    saml.spKeys().getPrivate()));
        }
        String base = endpoint.toString();
        return URI.create(base + (base.contains("?") ? "&" : "?") + query);
    }

    @Override
    public ExternalIdentity complete(Callback callback) {
        String encoded = callback.parameter("SAMLResponse");
        if (encoded == null || encoded.isBlank()) {
            throw new GatewayException(Reason.TOKEN_MISSING, settings.id(), "no SAMLResponse");
        }
        if (encoded.length() > MAX_RESPONSE_LENGTH) {
            throw new GatewayException(Reason.TOKEN_TOO_LARGE, settings.id(),
                    "SAMLResponse of " + encoded.length() + " characters");
        }
        byte[] xml;
        try {
            xml = Base64.getMimeDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new GatewayException(Reason.SAML_INVALID, settings.id(), "SAMLResponse is not base64");
        }
        String requestId = null;
        if (callback.solicited()) {
            // the edge found this sign-on by the RelayState the answer echoes
            requestId = callback.protocolData().get("requestId");
        }
        SamlResponseValidator.Verified verified = validator.validate(xml, new SamlResponseValidator.Expected(
                acsUrls(callback.gatewayBaseUrl()), callback.solicited(), requestId, time.now()));
        if (!replayGuard.firstUse(settings.id(), "saml:" + verified.assertionId(), verified.keepUntil())) {
            throw new GatewayException(Reason.REPLAYED, settings.id(), "assertion id already used");
        }
        SignOffHandle handle = new SignOffHandle(verified.nameId(), verified.nameIdFormat(), verified.nameQualifier(),
                verified.spNameQualifier(), verified.sessionIndex());
        String requestedTarget = callback.solicited() ? null : callback.parameter("RelayState");
        return new ExternalIdentity(settings.id(), claims(verified), idpSessionId(verified.nameId(),
                verified.sessionIndex()), handle.encode(), requestedTarget);
    }

    /**
     * Where responses may be addressed: the configured {@code return-url} (the ACS URL the
     * IdP knows), and this connector's return URL and the shared SAML one at the gateway's base.
     */
    private Set<String> acsUrls(String baseUrl) {
        Set<String> urls = new java.util.HashSet<>();
        settings.returnUrl().ifPresent(url -> urls.add(url.toString()));
        if (baseUrl != null) {
            urls.add(baseUrl + routes.acs());
            urls.add(baseUrl + routes.sharedAcs());
        }
        return Set.copyOf(urls);
    }

    /** NameID and attributes as claims; single values as strings, several as lists. */
    static Map<String, Object> claims(SamlResponseValidator.Verified verified) {
        Map<String, Object> claims = new LinkedHashMap<>();
        verified.attributes().forEach((name, values) -> {
            if (!values.isEmpty()) {
                claims.put(name, values.size() == 1 ? values.get(0) : List.copyOf(values));
            }
        });
        ALIASES.forEach((claim, names) -> {
            if (!claims.containsKey(claim)) {
                names.stream().filter(claims::containsKey).findFirst().ifPresent(name -> claims.put(claim,
                        SINGLE_VALUED.contains(claim) ? first(claims.get(name)) : claims.get(name)));
            }
        });
        claims.put("nameId", verified.nameId());
        if (verified.nameIdFormat() != null) {
            claims.put("nameIdFormat", verified.nameIdFormat());
        }
        return claims;
    }

    private static Object first(Object value) {
        return value instanceof List<?> list ? list.get(0) : value;
    }

    /**
     * What SLO matches sessions by: the NameID's hash, then the SessionIndex's.
     * Hashes keep the column short and the NameID out of the index.
     */
    static String idpSessionId(String nameId, String sessionIndex) {
        return nameIdKey(nameId) + Secrets.sha256Hex(sessionIndex == null ? "" : sessionIndex);
    }

    static String nameIdKey(String nameId) {
        return Secrets.sha256Hex(nameId) + "|";
    }

    /** At the shared SAML return URL: is this answer from our IdP? (Issuer, unverified: routing only.) */
    @Override
    public boolean recognises(Callback callback) {
        String encoded = callback.parameter("SAMLResponse");
        if (encoded == null) {
            return false;
        }
        try {
            Element root = SamlXml.parse(Base64.getMimeDecoder().decode(encoded)).getDocumentElement();
            Element issuer = SamlXml.child(root, SamlXml.ASSERTION, "Issuer");
            if (issuer == null) {
                Element assertion = SamlXml.child(root, SamlXml.ASSERTION, "Assertion");
                issuer = assertion == null ? null : SamlXml.child(assertion, SamlXml.ASSERTION, "Issuer");
            }
            return issuer != null && saml.idpEntityId().equals(SamlXml.text(issuer));
        } catch (Exception e) {
            return false;
        }
    }

    /** SP-initiated single logout: a LogoutRequest naming the member's NameID and SessionIndex. */
    @Override
    public Optional<URI> signOffRedirect(SignOff signOff) {
        SignOffHandle handle = SignOffHandle.decode(signOff.signOffHandle());
        if (saml.sloUrl().isEmpty() || handle == null) {
            return Connector.super.signOffRedirect(signOff);
        }
        String xml = SamlMessages.logoutRequest(SamlMessages.newId(), time.now(), saml.sloUrl().get().toString(),
                saml.spEntityId(), handle);
        // RelayState is the opaque id of the kept target, never the URL itself
        return Optional.of(redirectBinding(saml.sloUrl().get(), "SAMLRequest", xml, signOff.keepTarget().get(),
                saml.spKeys() != null));
    }

    // ---- SP metadata -------------------------------------------------------------------------

    @Override
    public String metadataPath() {
        return "saml/metadata";
    }

    /** The SP metadata an IdP administrator imports. */
    @Override
    public Metadata metadata(String baseUrl) {
        return new Metadata(metadataXml(baseUrl), "application/samlmetadata+xml", settings.id() + "-sp-metadata.xml");
    }

    private String metadataXml(String baseUrl) {
        // the ACS URL the AuthnRequests name: the configured return-url, else the connector's own
        String acs = settings.returnUrl().map(URI::toString).orElse(baseUrl + routes.acs());
        String slo = baseUrl + routes.slo();
        StringBuilder xml = new StringBuilder()
                .append("<md:EntityDescriptor xmlns:md=\"").append(SamlXml.METADATA).append("\" xmlns:ds=\"")
                .append(SamlXml.DSIG).append("\" entityID=\"").append(SamlMessages.escape(saml.spEntityId())).append("\">")
                .append("<md:SPSSODescriptor AuthnRequestsSigned=\"").append(saml.signRequests())
                .append("\" WantAssertionsSigned=\"true\" protocolSupportEnumeration=\"").append(SamlXml.PROTOCOL)
                .append("\">");
        if (saml.spCertificate() != null) {
            String certificate = SamlMessages.base64(saml.spCertificate());
            for (String use : List.of("signing", "encryption")) {
                xml.append("<md:KeyDescriptor use=\"").append(use).append("\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>")
                        .append(certificate).append("</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>");
            }
        }
        for (String binding : List.of(SamlMessages.REDIRECT_BINDING, SamlMessages.POST_BINDING)) {
            xml.append("<md:SingleLogoutService Binding=\"").append(binding).append("\" Location=\"")
                    .append(SamlMessages.escape(slo)).append("\"/>");
        }
        xml.append("<md:NameIDFormat>").append(SamlMessages.escape(saml.nameIdFormat())).append("</md:NameIDFormat>")
                .append("<md:AssertionConsumerService Binding=\"").append(SamlMessages.POST_BINDING)
                .append("\" Location=\"").append(SamlMessages.escape(acs)).append("\" index=\"0\" isDefault=\"true\"/>")
                .append("</md:SPSSODescriptor></md:EntityDescriptor>");
        return xml.toString();
    }

    // ---- single logout from the IdP --------------------------------------------------------------

    @Override
    public String logoutPath() {
        return "saml/slo";
    }

    /**
     * A LogoutRequest from the IdP (the sessions it names end, and the member goes
     * back with our LogoutResponse) or the IdP's LogoutResponse to ours (the member
     * goes on to the target the edge kept under the RelayState id).
     */
    @Override
    public IdpLogout receiveLogout(LogoutMessage message) {
        boolean redirect = message.form().isEmpty();
        if (redirect && (message.rawQuery() == null || message.rawQuery().isEmpty())) {
            throw new GatewayException(Reason.TOKEN_MISSING, settings.id(), "empty SLO message");
        }
        Map<String, String> raw = redirect ? rawParameters(message.rawQuery()) : Map.of();
        Map<String, String> values = redirect ? decodeAll(raw) : message.form();
        boolean isRequest = values.containsKey("SAMLRequest");
        String encoded = isRequest ? values.get("SAMLRequest") : values.get("SAMLResponse");
        if (encoded == null) {
            throw new GatewayException(Reason.TOKEN_MISSING, settings.id(), "no SAMLRequest or SAMLResponse");
        }
        try {
            byte[] xml = Base64.getMimeDecoder().decode(encoded);
            if (redirect) {
                xml = SamlMessages.inflate(xml, MAX_INFLATED_BYTES);
            }
            Document document = SamlXml.parse(xml);
            SamlXml.registerUniqueIds(document);
            Element root = document.getDocumentElement();
            boolean signed = verifySlo(root, redirect, raw, isRequest ? "SAMLRequest" : "SAMLResponse");
            checkSloCommon(root, message.gatewayBaseUrl());
            if (!isRequest) {
                return logoutResponse(root, signed, values.get("RelayState"));
            }
            if (!signed) {
                throw new GatewayException(Reason.SIGNATURE_INVALID, settings.id(), "LogoutRequest is not signed");
            }
            return logoutRequest(root, values.get("RelayState"));
        } catch (IllegalArgumentException e) {
            throw new GatewayException(Reason.SAML_INVALID, settings.id(), "SLO message is not base64");
        } catch (SamlXml.Refused e) {
            throw new GatewayException(Reason.SAML_INVALID, settings.id(), e.getMessage());
        } catch (SamlSignatures.Invalid e) {
            throw new GatewayException(e.reason, settings.id(), e.getMessage());
        }
    }

    private boolean verifySlo(Element root, boolean redirect, Map<String, String> raw, String parameter)
            throws SamlXml.Refused, SamlSignatures.Invalid {
        if (redirect) {
            if (!raw.containsKey("Signature")) {
                return false;
            }
            String signedQuery = parameter + "=" + raw.get(parameter)
                    + (raw.containsKey("RelayState") ? "&RelayState=" + raw.get("RelayState") : "")
                    + "&SigAlg=" + raw.get("SigAlg");
            saml.signatures().verifyRedirect(signedQuery, decode(raw.get("SigAlg")), decode(raw.get("Signature")));
            return true;
        }
        Element signature = SamlXml.child(root, SamlXml.DSIG, "Signature");
        if (signature == null) {
            return false;
        }
        saml.signatures().verifyEnveloped(signature, root);
        return true;
    }

    private void checkSloCommon(Element root, String baseUrl) throws SamlXml.Refused {
        Element issuer = SamlXml.child(root, SamlXml.ASSERTION, "Issuer");
        if (issuer == null || !saml.idpEntityId().equals(SamlXml.text(issuer))) {
            throw new GatewayException(Reason.ISSUER_INVALID, settings.id(), "SLO message not from the configured IdP");
        }
        String destination = SamlXml.attribute(root, "Destination");
        if (destination != null && !destination.equals(baseUrl + routes.slo())) {
            throw new GatewayException(Reason.DESTINATION_INVALID, settings.id(), "SLO Destination is not ours");
        }
    }

    /**
     * The IdP's answer to our LogoutRequest. Signed like its LogoutRequests, so nobody else can
     * bounce members through this endpoint. A failure status cannot undo anything (our session is
     * gone already): it is audited and the member still goes on to the return_url.
     */
    private IdpLogout logoutResponse(Element response, boolean signed, String relayState) throws SamlXml.Refused {
        if (!SamlXml.is(response, SamlXml.PROTOCOL, "LogoutResponse")) {
            throw new SamlXml.Refused("not a LogoutResponse");
        }
        if (!signed) {
            throw new GatewayException(Reason.SIGNATURE_INVALID, settings.id(), "LogoutResponse is not signed");
        }
        Element status = SamlXml.child(response, SamlXml.PROTOCOL, "Status");
        Element code = status == null ? null : SamlXml.child(status, SamlXml.PROTOCOL, "StatusCode");
        if (code == null) {
            throw new SamlXml.Refused("LogoutResponse without a StatusCode");
        }
        String value = code.getAttribute("Value");
        Audit.idpSignOffAnswered(settings.id(), SamlResponseValidator.SUCCESS.equals(value), value);
        return new IdpLogout(List.of(), null, null, true, null, relayState);
    }

    private IdpLogout logoutRequest(Element request, String relayState) throws SamlXml.Refused {
        if (!SamlXml.is(request, SamlXml.PROTOCOL, "LogoutRequest")) {
            throw new SamlXml.Refused("not a LogoutRequest");
        }
        String id = request.getAttribute("ID");
        Instant issued;
        try {
            issued = Instant.parse(request.getAttribute("IssueInstant"));
        } catch (Exception e) {
            throw new SamlXml.Refused("LogoutRequest without a valid IssueInstant");
        }
        Instant now = time.now();
        if (issued.isBefore(now.minus(LOGOUT_REQUEST_LIFETIME)) || issued.isAfter(now.plus(saml.clockSkew()))) {
            throw new GatewayException(Reason.TOKEN_EXPIRED, settings.id(), "LogoutRequest too old or from the future");
        }
        if (id.isEmpty() || !replayGuard.firstUse(settings.id(), "saml-logout:" + id,
                now.plus(LOGOUT_REQUEST_LIFETIME).plus(saml.clockSkew()).getEpochSecond())) {
            throw new GatewayException(Reason.REPLAYED, settings.id(), "LogoutRequest id already used");
        }
        Element nameId = SamlXml.child(request, SamlXml.ASSERTION, "NameID");
        if (nameId == null) {
            throw new SamlXml.Refused("LogoutRequest without NameID");
        }
        String name = SamlXml.text(nameId);
        List<String> exact = new ArrayList<>();
        for (Element index : SamlXml.children(request, SamlXml.PROTOCOL, "SessionIndex")) {
            exact.add(idpSessionId(name, SamlXml.text(index)));
        }
        String response = SamlMessages.logoutResponse(SamlMessages.newId(), now,
                saml.sloUrl().map(URI::toString).orElse(""), saml.spEntityId(), id, SamlResponseValidator.SUCCESS);
        URI answer = saml.sloUrl().map(url -> redirectBinding(url, "SAMLResponse", response, relayState,
                saml.spKeys() != null)).orElse(null);
        return new IdpLogout(exact, exact.isEmpty() ? nameIdKey(name) : null, null, true, answer, null);
    }

    private static Map<String, String> rawParameters(String rawQuery) {
        Map<String, String> raw = new LinkedHashMap<>();
        if (rawQuery == null) {
            return raw;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && raw.putIfAbsent(pair.substring(0, eq), pair.substring(eq + 1)) != null) {
                throw new GatewayException(Reason.TOKEN_MALFORMED, null, "parameter given twice");
            }
        }
        return raw;
    }

    private Map<String, String> decodeAll(Map<String, String> raw) {
        Map<String, String> decoded = new LinkedHashMap<>();
        raw.forEach((name, value) -> decoded.put(name, decode(value)));
        return decoded;
    }

    private String decode(String value) {
        try {
            return value == null ? null : URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new GatewayException(Reason.SAML_INVALID, settings.id(), "SLO query is not valid URL encoding");
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
