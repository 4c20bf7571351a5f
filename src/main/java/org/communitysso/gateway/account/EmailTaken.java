package org.communitysso.gateway.account;

import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;

/**
 * {@code email_taken}: the sign-in's email belongs to an account it may not
 * join by email alone. Carries that account's id so the web edge can offer to
 * link by proving the account with one of its own sign-in methods; the id is
 * never shown to the member.
 */
public class EmailTaken extends GatewayException {

    private final long accountId;

    EmailTaken(String connectorId, long accountId, String why) {
        super(Reason.EMAIL_TAKEN, connectorId, "email belongs to account " + accountId + "; not linked: " + why);
        this.accountId = accountId;
    }

    public long accountId() {
        return accountId;
    }
}
