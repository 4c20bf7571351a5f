package org.communitysso.gateway.account;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.communitysso.gateway.config.GatewayConfig;

/**
 * What the community asks of its accounts, read from {@code gateway.accounts.*}:
 * the one place the sign-on and the sign-up form read it from (and a test can swap).
 */
@ApplicationScoped
public class AccountPolicy {

    @Inject
    GatewayConfig config;

    /** Ask a new member for an email when the IdP gives none ({@code gateway.accounts.require-email}). */
    public boolean requireEmail() {
        return config.accounts().requireEmail();
    }
}
