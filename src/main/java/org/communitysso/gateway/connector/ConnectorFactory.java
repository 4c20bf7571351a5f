package org.communitysso.gateway.connector;

import org.communitysso.gateway.config.ConnectorConfig;

/** Builds the connectors of one type. Adding a protocol means adding one of these. */
public interface ConnectorFactory {

    String type();

    /** Reports every bad setting to {@code problems}; may return null when there were any. */
    Connector create(ConnectorSettings settings, ConnectorConfig config, ConfigProblems problems);
}
