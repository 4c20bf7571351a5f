package org.communitysso.gateway.connector.saml;

import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * XML the way SAML needs it: parsed by a hardened parser (no DOCTYPE at all, so
 * no external entities and no entity expansion), ids checked for uniqueness,
 * text read without being fooled by comments.
 */
public final class SamlXml {

    public static final String PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
    public static final String ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";
    public static final String METADATA = "urn:oasis:names:tc:SAML:2.0:metadata";
    public static final String DSIG = "http://www.w3.org/2000/09/xmldsig#";
    public static final String XMLENC = "http://www.w3.org/2001/04/xmlenc#";

    /** A document the parser or the structure rules refuse. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    private static final DocumentBuilderFactory FACTORY = hardenedFactory();
    /** DocumentBuilders are not thread-safe but are costly to make: one per thread, reset between uses. */
    private static final ThreadLocal<DocumentBuilder> BUILDERS = ThreadLocal.withInitial(() -> {
        try {
            DocumentBuilder builder = FACTORY.newDocumentBuilder();
            builder.setErrorHandler(null);
            builder.setEntityResolver((publicId, systemId) -> {
                throw new IllegalStateException("external entities are refused");
            });
            return builder;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    });

    private SamlXml() {
    }

    private static DocumentBuilderFactory hardenedFactory() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            return factory;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the XML parser cannot be hardened", e);
        }
    }

    /** Parses untrusted XML; any DOCTYPE is refused outright. */
    public static Document parse(byte[] xml) throws Refused {
        DocumentBuilder builder = BUILDERS.get();
        try {
            return builder.parse(new ByteArrayInputStream(xml));
        } catch (Exception e) {
            // The parser's message may quote the document: keep it out of logs.
            throw new Refused("not well-formed XML, or a DOCTYPE / entity (refused)");
        } finally {
            builder.reset();
        }
    }

    public static Document newDocument() {
        return BUILDERS.get().newDocument();
    }

    /**
     * Registers every {@code ID} attribute as an XML id so signature references
     * resolve, and refuses a document where any id-like attribute value occurs
     * twice (the signature-wrapping attacks rely on that).
     */
    public static void registerUniqueIds(Document document) throws Refused {
        Set<String> seen = new HashSet<>();
        for (Element element : allElements(document.getDocumentElement())) {
            NamedNodeMap attributes = element.getAttributes();
            for (int i = 0; i < attributes.getLength(); i++) {
                Attr attribute = (Attr) attributes.item(i);
                String name = attribute.getLocalName() == null ? attribute.getName() : attribute.getLocalName();
                if (name.equalsIgnoreCase("id") || name.equals("AssertionID")) {
                    if (!seen.add(attribute.getValue())) {
                        throw new Refused("duplicate id in the document");
                    }
                    if (name.equals("ID") && attribute.getNamespaceURI() == null) {
                        element.setIdAttributeNode(attribute, true);
                    }
                }
            }
        }
    }

    public static List<Element> allElements(Element root) {
        List<Element> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Element element, List<Element> out) {
        out.add(element);
        for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element e) {
                collect(e, out);
            }
        }
    }

    public static List<Element> children(Element parent, String namespace, String localName) {
        List<Element> out = new ArrayList<>();
        for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element e && is(e, namespace, localName)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The only such child, or null when there is none; more than one is refused. */
    public static Element child(Element parent, String namespace, String localName) throws Refused {
        List<Element> found = children(parent, namespace, localName);
        if (found.size() > 1) {
            throw new Refused("more than one " + localName);
        }
        return found.isEmpty() ? null : found.get(0);
    }

    public static boolean is(Element element, String namespace, String localName) {
        return namespace.equals(element.getNamespaceURI()) && localName.equals(element.getLocalName());
    }

    /**
     * All text of an element. Comments split text nodes, and a reader taking the
     * first node only would read {@code alice@x<!---->.evil} as {@code alice@x};
     * here the text is joined (what canonicalisation signed). Child elements are refused.
     */
    public static String text(Element element) throws Refused {
        StringBuilder text = new StringBuilder();
        for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
            switch (child.getNodeType()) {
                case Node.TEXT_NODE, Node.CDATA_SECTION_NODE -> text.append(child.getNodeValue());
                case Node.COMMENT_NODE, Node.PROCESSING_INSTRUCTION_NODE -> {
                    // not part of the signed content
                }
                default -> throw new Refused(element.getLocalName() + " holds markup where text is expected");
            }
        }
        return text.toString().trim();
    }

    /** An attribute's value, or null when absent. */
    public static String attribute(Element element, String name) {
        return element.hasAttribute(name) ? element.getAttribute(name) : null;
    }

    public static String serialise(Node node) {
        try {
            var transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter out = new StringWriter();
            transformer.transform(new DOMSource(node), new StreamResult(out));
            return out.toString();
        } catch (Exception e) {
            throw new IllegalStateException("cannot serialise XML", e);
        }
    }
}
