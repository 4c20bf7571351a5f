package org.communitysso.gateway.web;

import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.account.AccountPolicy;
import org.communitysso.gateway.account.SignOnOutcome;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.identity.UserDataRules;
import org.communitysso.gateway.identity.UserRecord;

/** The short sign-up form a new member fills in when the IdP gave no (free) username, or no email. */
@Path("/auth/profile")
@SignOnAnswer
public class ProfileResource {

    @Inject
    PendingSignOns pendingSignOns;
    @Inject
    ConnectorRegistry registry;
    @Inject
    SignOnFlow flow;
    @Inject
    AccountPolicy accountPolicy;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance form(@CookieParam(Cookies.PENDING) String pendingId) {
        PendingSignOns.Pending pending = pending(pendingId);
        return page(pending, pending.record().username(), pending.record().email(),
                message(SignOnOutcome.Why.of(pending.reason())));
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response submit(@CookieParam(Cookies.PENDING) String pendingId, @FormParam("csrf") String csrf,
            @FormParam("username") String username, @FormParam("email") String email,
            @CookieParam(Cookies.SESSION) String previousSession) {
        PendingSignOns.Pending pending = pending(pendingId);
        if (!Secrets.constantTimeEquals(pending.csrfToken(), csrf)) {
            throw new GatewayException(Reason.CSRF_INVALID, pending.connectorId(), "sign-up form token mismatch");
        }
        String chosenUsername = UserDataRules.normaliseUsername(username == null ? "" : username.trim());
        String givenEmail = email == null ? "" : email.trim();
        String problem = UserDataRules.usernameProblem(chosenUsername);
        if (problem != null) {
            return again(pending, chosenUsername, givenEmail, "The username " + problem + ".");
        }
        boolean emailFromIdp = pending.record().email() != null;
        UserRecord record = pending.record().withUsername(chosenUsername);
        if (!emailFromIdp && !givenEmail.isEmpty()) {
            String emailProblem = UserDataRules.emailProblem(givenEmail);
            if (emailProblem != null) {
                return again(pending, chosenUsername, givenEmail, "The email address " + emailProblem + ".");
            }
            record = record.withEmail(givenEmail);
        }
        Connector connector = registry.require(pending.connectorId());
        SignOnFlow.Context context = new SignOnFlow.Context(connector, pending.target(), pending.idpSessionId(),
                pending.signOffHandle(), previousSession);
        SignOnFlow.Result result;
        try {
            result = flow.complete(context, record, emailFromIdp, pendingId);
        } catch (GatewayException e) {
            if (e.reason() == Reason.EMAIL_TAKEN && !emailFromIdp) {
                return again(pending, chosenUsername, givenEmail, EMAIL_TAKEN_MESSAGE);
            }
            throw e;
        }
        if (result.needs() != null) {
            pendingSignOns.updateReason(pendingId, result.needs().code());
            return again(pending, chosenUsername, givenEmail, message(result.needs()));
        }
        return flow.signedOn(context, result);
    }

    private PendingSignOns.Pending pending(String pendingId) {
        return pendingSignOns.find(pendingId).orElseThrow(() -> new GatewayException(
                Reason.PENDING_SIGN_ON_INVALID, "no pending sign-on for this browser, or it expired"));
    }

    private Response again(PendingSignOns.Pending pending, String username, String email, String message) {
        return Response.status(Response.Status.BAD_REQUEST).entity(page(pending, username, email, message))
                .type(MediaType.TEXT_HTML).build();
    }

    private TemplateInstance page(PendingSignOns.Pending pending, String username, String email, String message) {
        boolean askEmail = pending.record().email() == null;
        boolean emailRequired = accountPolicy.requireEmail();
        return Pages.chooseUsername(pending.csrfToken(), message, username == null ? "" : username,
                askEmail, emailRequired, email == null ? "" : email);
    }

    private static final String EMAIL_TAKEN_MESSAGE = "This email address is already taken.";

    private static String message(SignOnOutcome.Why why) {
        return switch (why) {
            case USERNAME_TAKEN -> "That username is already taken. Please choose another.";
            case EMAIL_MISSING -> "Please give the email address you want to use here.";
            case USERNAME_MISSING -> "Please choose the username other members will see.";
        };
    }
}
