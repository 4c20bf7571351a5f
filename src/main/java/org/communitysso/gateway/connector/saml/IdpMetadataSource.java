package org.communitysso.gateway.connector.saml;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.communitysso.gateway.TimeSource;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.jboss.logging.Logger;

/**
 * An IdP's metadata from {@code saml.idp-metadata-url}, kept fresh: refreshed every
 * {@code saml.idp-metadata-refresh} (sooner when the document's {@code cacheDuration} or
 * {@code validUntil} asks), the last good copy kept when a refresh fails, and saved to
 * {@code saml.idp-metadata-cache} so a start-up while the URL is down uses it (with a loud
 * warning) rather than refusing to start. Every signing certificate the document lists is
 * accepted, so an IdP can publish its next certificate before signing with it (rollover).
 */
final class IdpMetadataSource {

    private static final Logger LOG = Logger.getLogger(IdpMetadataSource.class);
    /** After a failed refresh, try again this soon (never more often than the refresh interval). */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(5);
    private static final Duration MIN_REFRESH = Duration.ofMinutes(1);

    private final String connectorId;
    private final URI url;
    private final Path cacheFile;
    private final Duration interval;
    private final Duration timeout;
    private final TimeSource time;

    private volatile IdpMetadata current;
    private volatile Instant nextRefresh;
    private volatile String lastError;
    private volatile Instant lastSuccess;
    /** The connector's verifier, when its keys come from this metadata (not from saml.idp-certificate). */
    private volatile SamlSignatures keysTarget;

    private IdpMetadataSource(String connectorId, URI url, Path cacheFile, Duration interval, Duration timeout,
            TimeSource time) {
        this.connectorId = connectorId;
        this.url = url;
        this.cacheFile = cacheFile;
        this.interval = interval;
        this.timeout = timeout;
        this.time = time;
    }

    /**
     * Fetches the metadata at start-up, or falls back to the cached copy; throws
     * IllegalArgumentException (naming what failed) when neither can be had.
     */
    static IdpMetadataSource load(String connectorId, URI url, Path cacheFile, Duration interval, Duration timeout,
            TimeSource time) {
        IdpMetadataSource source = new IdpMetadataSource(connectorId, url, cacheFile, interval, timeout, time);
        Instant now = time.now();
        try {
            byte[] document = IdpMetadata.download(connectorId, url, timeout);
            source.accept(IdpMetadata.parse(document), document, now);
        } catch (IllegalArgumentException fetchFailure) {
            IdpMetadata cached = source.readCache(now);
            if (cached == null) {
                throw fetchFailure;
            }
            source.current = cached;
            source.lastError = fetchFailure.getMessage();
            source.nextRefresh = now.plus(min(RETRY_AFTER_FAILURE, interval));
            LOG.errorf("!!! connector %s: the IdP metadata URL %s %s: STARTING WITH THE CACHED COPY %s (saved %s). "
                    + "Sign-ons use its certificates until the URL answers again; retrying every %s.", connectorId,
                    url, fetchFailure.getMessage(), cacheFile, lastModified(cacheFile), min(RETRY_AFTER_FAILURE, interval));
        }
        return source;
    }

    IdpMetadata current() {
        return current;
    }

    /** From now on, refreshed certificates replace {@code signatures}' keys. */
    void feedKeysTo(SamlSignatures signatures) {
        this.keysTarget = signatures;
    }

    /**
     * Refreshes when due (or {@code force}); returns whether new metadata was taken. A
     * failure keeps the last good copy and is logged; the readiness probe reports it.
     */
    synchronized boolean refresh(boolean force) {
        Instant now = time.now();
        if (!force && nextRefresh != null && now.isBefore(nextRefresh)) {
            return false;
        }
        try {
            byte[] document = IdpMetadata.download(connectorId, url, timeout);
            IdpMetadata fresh = IdpMetadata.parse(document);
            if (!fresh.entityId().isEmpty() && current != null && !current.entityId().isEmpty()
                    && !fresh.entityId().equals(current.entityId())) {
                throw new IllegalArgumentException("names another entity id (" + fresh.entityId() + ")");
            }
            boolean changed = current == null
                    || !fresh.signingCertificates().equals(current.signingCertificates());
            accept(fresh, document, now);
            if (changed) {
                LOG.infof("connector %s: IdP metadata refreshed, %d signing certificate(s) now accepted", connectorId,
                        fresh.signingCertificates().size());
            }
            return true;
        } catch (IllegalArgumentException | IllegalStateException e) {
            lastError = e.getMessage();
            nextRefresh = now.plus(min(RETRY_AFTER_FAILURE, interval));
            LOG.warnf("connector %s: IdP metadata refresh from %s failed (%s); keeping the copy from %s", connectorId,
                    url, e.getMessage(), lastSuccess == null ? "the cache file" : lastSuccess);
            return false;
        }
    }

    /** For the readiness probe: throws when the last fetch failed (the connector runs on its last good copy). */
    void probe() {
        String error = lastError;
        if (error != null) {
            throw new GatewayException(Reason.IDP_UNAVAILABLE, connectorId, "metadata " + error
                    + "; using the copy from " + (lastSuccess == null ? "the cache file" : lastSuccess));
        }
    }

    private void accept(IdpMetadata metadata, byte[] document, Instant now) {
        if (metadata.expiredAt(now)) {
            throw new IllegalArgumentException("is past its validUntil (" + metadata.validUntil() + ")");
        }
        SamlSignatures target = keysTarget;
        if (target != null) {
            List<PublicKey> keys = metadata.signingCertificates().stream().map(c -> c.getPublicKey()).toList();
            target.replaceKeys(keys);
        }
        current = metadata;
        lastError = null;
        lastSuccess = now;
        nextRefresh = now.plus(nextInterval(metadata, now));
        writeCache(document);
    }

    /** The configured interval, shortened by the document's cacheDuration and by its validUntil. */
    private Duration nextInterval(IdpMetadata metadata, Instant now) {
        Duration next = interval;
        if (metadata.cacheDuration() != null && metadata.cacheDuration().compareTo(next) < 0) {
            next = metadata.cacheDuration();
        }
        if (metadata.validUntil() != null) {
            Duration left = Duration.between(now, metadata.validUntil());
            if (left.compareTo(next) < 0) {
                next = left;
            }
        }
        return next.compareTo(MIN_REFRESH) < 0 ? MIN_REFRESH : next;
    }

    private IdpMetadata readCache(Instant now) {
        if (cacheFile == null || !Files.isReadable(cacheFile)) {
            return null;
        }
        try {
            IdpMetadata cached = IdpMetadata.parse(Files.readAllBytes(cacheFile));
            if (cached.expiredAt(now)) {
                LOG.errorf("connector %s: the cached IdP metadata %s is past its validUntil (%s): not used",
                        connectorId, cacheFile, cached.validUntil());
                return null;
            }
            return cached;
        } catch (IOException | IllegalArgumentException e) {
            LOG.errorf("connector %s: the cached IdP metadata %s cannot be read (%s)", connectorId, cacheFile,
                    e.getMessage());
            return null;
        }
    }

    /** Written whole or not at all (a temporary file moved into place). */
    private void writeCache(byte[] document) {
        if (cacheFile == null) {
            return;
        }
        try {
            Files.createDirectories(cacheFile.toAbsolutePath().getParent());
            Path temporary = Files.createTempFile(cacheFile.toAbsolutePath().getParent(), ".metadata", ".tmp");
            Files.write(temporary, document);
            Files.move(temporary, cacheFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warnf("connector %s: IdP metadata not saved to %s (%s): a start-up while the IdP is down will fail",
                    connectorId, cacheFile, e.getClass().getSimpleName());
        }
    }

    private static Object lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return "at an unknown time";
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
