package org.communitysso.gateway.connector.saml;

import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.keycloak.saml.processing.core.util.XMLEncryptionUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The assertion consumer's policy, written once: a Response is accepted only
 * when it holds exactly one assertion, a signature we verified covers that
 * assertion (directly, or through the Response it is a child of), and every
 * value we then read comes from that verified element.
 */
final class SamlResponseValidator {

    static final String SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
    static final String BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

    /** What the connector's configuration requires of every answer. */
    record Policy(String connectorId, String idpEntityId, String spEntityId, SamlSignatures signatures,
            Duration clockSkew, boolean allowIdpInitiated, PrivateKey decryptionKey) {
    }

    /** What this particular answer must match: where it arrived and, if we asked, which request. */
    record Expected(Set<String> acsUrls, boolean solicited, String requestId, Instant now) {
    }

    /** What was verified: the assertion's id (for replay), the subject and its attributes. */
    record Verified(String assertionId, String nameId, String nameIdFormat, String nameQualifier,
            String spNameQualifier, String sessionIndex, Map<String, List<String>> attributes, long keepUntil) {
    }

    private final Policy policy;

    SamlResponseValidator(Policy policy) {
        this.policy = policy;
    }

    Verified validate(byte[] xml, Expected expected) {
        try {
            return check(SamlXml.parse(xml), expected);
        } catch (SamlXml.Refused e) {
            throw refuse(Reason.SAML_INVALID, e.getMessage());
        } catch (SamlSignatures.Invalid e) {
            throw refuse(e.reason, e.getMessage());
        }
    }

    private Verified check(Document document, Expected expected) throws SamlXml.Refused, SamlSignatures.Invalid {
        Element response = document.getDocumentElement();
        if (!SamlXml.is(response, SamlXml.PROTOCOL, "Response") || !"2.0".equals(response.getAttribute("Version"))) {
            throw refuse(Reason.SAML_INVALID, "not a SAML 2.0 Response");
        }
        SamlXml.registerUniqueIds(document);

        // An unsigned error status is still worth a precise answer; it grants nothing.
        Element status = SamlXml.child(response, SamlXml.PROTOCOL, "Status");
        Element statusCode = status == null ? null : SamlXml.child(status, SamlXml.PROTOCOL, "StatusCode");
        if (statusCode == null || !SUCCESS.equals(statusCode.getAttribute("Value"))) {
            throw refuse(Reason.STATUS_NOT_SUCCESS, "status is not Success");
        }
        checkInResponseTo(SamlXml.attribute(response, "InResponseTo"), expected);
        if (!expected.solicited() && !policy.allowIdpInitiated()) {
            throw refuse(Reason.UNSOLICITED_NOT_ALLOWED, "unsolicited response and allow-idp-initiated is off");
        }

        Element assertion = theOnlyAssertion(document, response);
        boolean responseSigned = verifySignatureOf(response);
        if (SamlXml.is(assertion, SamlXml.ASSERTION, "EncryptedAssertion")) {
            assertion = decrypt(document, response, assertion);
        }
        boolean assertionSigned = verifySignatureOf(assertion);
        if (!responseSigned && !assertionSigned) {
            throw refuse(Reason.SIGNATURE_INVALID, "neither the response nor the assertion is signed");
        }

        // From here on, values come from the verified response and its one assertion only.
        String destination = SamlXml.attribute(response, "Destination");
        if ((responseSigned && destination == null) || (destination != null && !expected.acsUrls().contains(destination))) {
            throw refuse(Reason.DESTINATION_INVALID, "Destination is not this assertion consumer service");
        }
        Element responseIssuer = SamlXml.child(response, SamlXml.ASSERTION, "Issuer");
        if (responseIssuer != null) {
            checkIssuer(responseIssuer);
        }
        return readAssertion(assertion, expected);
    }

    private void checkInResponseTo(String inResponseTo, Expected expected) {
        if (inResponseTo == null) {
            return;
        }
        if (!expected.solicited() || !inResponseTo.equals(expected.requestId())) {
            throw refuse(Reason.IN_RESPONSE_TO_INVALID, "InResponseTo is unknown or already used");
        }
    }

    /** Exactly one Assertion or EncryptedAssertion anywhere, and it is a child of the Response. */
    private static Element theOnlyAssertion(Document document, Element response) throws SamlXml.Refused {
        List<Element> found = new ArrayList<>();
        for (String name : List.of("Assertion", "EncryptedAssertion")) {
            var nodes = document.getElementsByTagNameNS(SamlXml.ASSERTION, name);
            for (int i = 0; i < nodes.getLength(); i++) {
                found.add((Element) nodes.item(i));
            }
        }
        if (found.size() != 1) {
            throw new SamlXml.Refused("the response must hold exactly one assertion, not " + found.size());
        }
        if (found.get(0).getParentNode() != response) {
            throw new SamlXml.Refused("the assertion is not a child of the response");
        }
        return found.get(0);
    }

    /** True when {@code element} carries a signature and it verifies; a bad signature is refused, never ignored. */
    private boolean verifySignatureOf(Element element) throws SamlXml.Refused, SamlSignatures.Invalid {
        Element signature = SamlXml.child(element, SamlXml.DSIG, "Signature");
        if (signature == null) {
            return false;
        }
        policy.signatures().verifyEnveloped(signature, element);
        return true;
    }

    private Element decrypt(Document document, Element response, Element encrypted) throws SamlXml.Refused {
        if (policy.decryptionKey() == null) {
            throw new SamlXml.Refused("encrypted assertion but no SP key configured");
        }
        Element decrypted;
        try {
            Document holder = SamlXml.newDocument();
            holder.appendChild(holder.importNode(encrypted, true));
            decrypted = XMLEncryptionUtil.decryptElementInDocument(holder, data -> List.of(policy.decryptionKey()));
        } catch (Exception e) {
            throw new SamlXml.Refused("encrypted assertion cannot be decrypted");
        }
        Node imported = document.importNode(decrypted, true);
        response.replaceChild(imported, encrypted);
        SamlXml.registerUniqueIds(document);
        Element assertion = theOnlyAssertion(document, response);
        if (!SamlXml.is(assertion, SamlXml.ASSERTION, "Assertion")) {
            throw new SamlXml.Refused("encrypted assertion does not hold an assertion");
        }
        return assertion;
    }

    private void checkIssuer(Element issuer) throws SamlXml.Refused {
        String format = SamlXml.attribute(issuer, "Format");
        if (format != null && !format.equals("urn:oasis:names:tc:SAML:2.0:nameid-format:entity")) {
            throw refuse(Reason.ISSUER_INVALID, "Issuer format is not entity");
        }
        if (!policy.idpEntityId().equals(SamlXml.text(issuer))) {
            throw refuse(Reason.ISSUER_INVALID, "Issuer is not the configured IdP");
        }
    }

    private Verified readAssertion(Element assertion, Expected expected) throws SamlXml.Refused {
        String id = assertion.getAttribute("ID");
        if (id.isEmpty() || !"2.0".equals(assertion.getAttribute("Version"))) {
            throw new SamlXml.Refused("assertion without ID or not version 2.0");
        }
        Element issuer = SamlXml.child(assertion, SamlXml.ASSERTION, "Issuer");
        if (issuer == null) {
            throw refuse(Reason.ISSUER_INVALID, "assertion has no Issuer");
        }
        checkIssuer(issuer);

        Element subject = SamlXml.child(assertion, SamlXml.ASSERTION, "Subject");
        Element nameId = subject == null ? null : SamlXml.child(subject, SamlXml.ASSERTION, "NameID");
        if (nameId == null || SamlXml.text(nameId).isEmpty()) {
            throw new SamlXml.Refused("assertion has no NameID");
        }
        long subjectNotOnOrAfter = checkBearer(subject, expected);

        Element conditions = SamlXml.child(assertion, SamlXml.ASSERTION, "Conditions");
        if (conditions == null) {
            throw new SamlXml.Refused("assertion has no Conditions");
        }
        Instant now = expected.now();
        Instant notBefore = time(SamlXml.attribute(conditions, "NotBefore"));
        Instant notOnOrAfter = time(SamlXml.attribute(conditions, "NotOnOrAfter"));
        if (notBefore != null && now.plus(policy.clockSkew()).isBefore(notBefore)) {
            throw refuse(Reason.TOKEN_NOT_YET_VALID, "assertion not yet valid");
        }
        if (notOnOrAfter != null && !now.minus(policy.clockSkew()).isBefore(notOnOrAfter)) {
            throw refuse(Reason.TOKEN_EXPIRED, "assertion expired");
        }
        checkAudience(conditions);

        List<Element> authnStatements = SamlXml.children(assertion, SamlXml.ASSERTION, "AuthnStatement");
        if (authnStatements.isEmpty()) {
            throw new SamlXml.Refused("assertion has no AuthnStatement");
        }
        String sessionIndex = SamlXml.attribute(authnStatements.get(0), "SessionIndex");

        long keepUntil = Math.max(subjectNotOnOrAfter, notOnOrAfter == null ? 0 : notOnOrAfter.getEpochSecond())
                + policy.clockSkew().toSeconds();
        return new Verified(id, SamlXml.text(nameId), SamlXml.attribute(nameId, "Format"),
                SamlXml.attribute(nameId, "NameQualifier"), SamlXml.attribute(nameId, "SPNameQualifier"),
                sessionIndex, attributes(assertion), keepUntil);
    }

    /**
     * A bearer SubjectConfirmation must name this ACS as Recipient, be unexpired
     * and answer our request. The library we build on lets absent Recipient or
     * InResponseTo pass; here they are required. Returns its NotOnOrAfter.
     */
    private long checkBearer(Element subject, Expected expected) throws SamlXml.Refused {
        GatewayException firstProblem = null;
        for (Element confirmation : SamlXml.children(subject, SamlXml.ASSERTION, "SubjectConfirmation")) {
            if (!BEARER.equals(confirmation.getAttribute("Method"))) {
                continue;
            }
            Element data = SamlXml.child(confirmation, SamlXml.ASSERTION, "SubjectConfirmationData");
            try {
                return checkBearerData(data, expected);
            } catch (GatewayException e) {
                firstProblem = firstProblem == null ? e : firstProblem;
            }
        }
        if (firstProblem != null) {
            throw firstProblem;
        }
        throw new SamlXml.Refused("no bearer SubjectConfirmation");
    }

    private long checkBearerData(Element data, Expected expected) throws SamlXml.Refused {
        if (data == null) {
            throw refuse(Reason.DESTINATION_INVALID, "bearer confirmation without data");
        }
        String recipient = SamlXml.attribute(data, "Recipient");
        if (recipient == null || !expected.acsUrls().contains(recipient)) {
            throw refuse(Reason.DESTINATION_INVALID, "Recipient is not this assertion consumer service");
        }
        Instant notOnOrAfter = time(SamlXml.attribute(data, "NotOnOrAfter"));
        if (notOnOrAfter == null || !expected.now().minus(policy.clockSkew()).isBefore(notOnOrAfter)) {
            throw refuse(Reason.TOKEN_EXPIRED, "bearer confirmation expired or without NotOnOrAfter");
        }
        Instant notBefore = time(SamlXml.attribute(data, "NotBefore"));
        if (notBefore != null && expected.now().plus(policy.clockSkew()).isBefore(notBefore)) {
            throw refuse(Reason.TOKEN_NOT_YET_VALID, "bearer confirmation not yet valid");
        }
        String inResponseTo = SamlXml.attribute(data, "InResponseTo");
        if (expected.solicited() ? !expected.requestId().equals(inResponseTo) : inResponseTo != null) {
            throw refuse(Reason.IN_RESPONSE_TO_INVALID, "bearer confirmation InResponseTo does not match");
        }
        return notOnOrAfter.getEpochSecond();
    }

    private void checkAudience(Element conditions) throws SamlXml.Refused {
        List<Element> restrictions = SamlXml.children(conditions, SamlXml.ASSERTION, "AudienceRestriction");
        if (restrictions.isEmpty()) {
            throw refuse(Reason.AUDIENCE_INVALID, "assertion has no AudienceRestriction");
        }
        // Every restriction must admit us (SAML core 2.5.1.4).
        for (Element restriction : restrictions) {
            boolean ours = false;
            for (Element audience : SamlXml.children(restriction, SamlXml.ASSERTION, "Audience")) {
                ours |= policy.spEntityId().equals(SamlXml.text(audience));
            }
            if (!ours) {
                throw refuse(Reason.AUDIENCE_INVALID, "assertion is for another audience");
            }
        }
    }

    /** Attribute name to its values; values that are not plain text (complex types) are skipped. */
    private static Map<String, List<String>> attributes(Element assertion) throws SamlXml.Refused {
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        for (Element statement : SamlXml.children(assertion, SamlXml.ASSERTION, "AttributeStatement")) {
            for (Element attribute : SamlXml.children(statement, SamlXml.ASSERTION, "Attribute")) {
                String name = attribute.getAttribute("Name");
                if (name.isEmpty()) {
                    continue;
                }
                List<String> values = attributes.computeIfAbsent(name, n -> new ArrayList<>());
                for (Element value : SamlXml.children(attribute, SamlXml.ASSERTION, "AttributeValue")) {
                    try {
                        String text = SamlXml.text(value);
                        if (!text.isEmpty()) {
                            values.add(text);
                        }
                    } catch (SamlXml.Refused complexValue) {
                        // e.g. a NameID inside eduPersonTargetedID: not something the user record takes
                    }
                }
                String friendly = attribute.getAttribute("FriendlyName");
                if (!friendly.isEmpty() && !attributes.containsKey(friendly)) {
                    attributes.put(friendly, values);
                }
            }
        }
        return attributes;
    }

    private static Instant time(String value) throws SamlXml.Refused {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.trim()).toInstant();
        } catch (Exception e) {
            try {
                return Instant.parse(value.trim() + (value.trim().endsWith("Z") ? "" : "Z"));
            } catch (Exception again) {
                throw new SamlXml.Refused("a time is not an xs:dateTime");
            }
        }
    }

    private GatewayException refuse(Reason reason, String detail) {
        return new GatewayException(reason, policy.connectorId(), detail);
    }
}
