package org.communitysso.gateway.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.communitysso.gateway.connector.ReplayGuard;

/**
 * The replay store without a database, for connector unit tests: remembers
 * (connector, id) pairs in memory; only the first use of a pair wins.
 */
public final class InMemoryReplayGuard extends ReplayGuard {

    private final Set<String> used = ConcurrentHashMap.newKeySet();

    @Override
    public boolean firstUse(String connectorId, String tokenId, long keepUntilEpochSeconds) {
        return used.add(connectorId + "\n" + tokenId);
    }

    public int size() {
        return used.size();
    }
}
