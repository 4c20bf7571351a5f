package org.communitysso.gateway.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.communitysso.gateway.account.AccountService;

/**
 * The {@code email_taken} page that offers to link: it names the existing
 * account's sign-in methods by their labels only (never its email, username or
 * ids), and only those a member can use here; the refused method itself is not
 * offered (an account has one identity per sign-in method).
 */
@ApplicationScoped
public class LinkPage {

    private final AccountService accounts;
    private final SignInMethods methods;

    @Inject
    public LinkPage(AccountService accounts, SignInMethods methods) {
        this.accounts = accounts;
        this.methods = methods;
    }

    /** The methods the member may prove the account with. */
    public List<SignInMethods.Method> proofs(PendingLinks.Link link) {
        return accounts.links(link.accountId()).stream()
                .map(AccountService.LinkView::connectorId)
                .filter(id -> !id.equals(link.connectorId()) && methods.offered(id))
                .map(methods::of)
                .toList();
    }

    public String render(PendingLinks.Link link) {
        String tryAgain = "/auth/login?choose=1&return_url=" + URLEncoder.encode(link.target(), StandardCharsets.UTF_8);
        return Pages.linkAccount(methods.of(link.connectorId()).label(), proofs(link), link.csrfToken(), tryAgain)
                .render();
    }
}
