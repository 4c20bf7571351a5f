package org.communitysso.gateway.connector;

/** Optional, next to {@link Connector}: a connector that publishes metadata for its IdP's administrator to import. */
public interface MetadataPublisher {

    /** The route under {@code /auth/{connector}/} the metadata is served at. */
    String metadataPath();

    Metadata metadata(String gatewayBaseUrl);

    record Metadata(String body, String mediaType, String fileName) {
    }
}
