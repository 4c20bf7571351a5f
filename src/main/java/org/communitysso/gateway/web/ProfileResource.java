package org.communitysso.gateway.web;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Optional;
import org.communitysso.gateway.Secrets;
import org.communitysso.gateway.account.AccountPolicy;
import org.communitysso.gateway.account.EmailTaken;
import org.communitysso.gateway.account.SignOnOutcome;
import org.communitysso.gateway.connector.Connector;
import org.communitysso.gateway.connector.ConnectorRegistry;
import org.communitysso.gateway.error.GatewayException;
import org.communitysso.gateway.error.Reason;
import org.communitysso.gateway.identity.UserDataRules;
import org.communitysso.gateway.identity.UserRecord;
import org.communitysso.gateway.session.SessionService;

/**
 * The short sign-up form a new member fills in when the IdP gave no (free)
 * username, or no email. Post-redirect-get: a refused value is kept with the
 * pending sign-on and shown by the GET, so Back and refresh never re-post the
 * form; a form already used sends a browser that is signed in on to its target.
 */
@Path("/auth/profile")
@SignOnAnswer
public class ProfileResource {

    /** The IdP sent a username the community cannot take (the form says why). */
    static final String USERNAME_UNUSABLE = "username_unusable";
    private static final String USERNAME_INVALID = "username_invalid";
    private static final String EMAIL_INVALID = "email_invalid";
    private static final String EMAIL_TAKEN = "email_taken";
    /** The member sent the form without the email the community requires. */
    private static final String EMAIL_REQUIRED = "email_required";
    static final String USERNAME_RULE = UserDataRules.MIN_USERNAME + " to " + UserDataRules.MAX_USERNAME
            + " characters: letters, digits, '.', '_', '-', apostrophes and single spaces between them.";

    @Inject
    PendingSignOns pendingSignOns;
    @Inject
    ConnectorRegistry registry;
    @Inject
    SignOnFlow flow;
    @Inject
    AccountPolicy accountPolicy;
    @Inject
    SessionService sessions;
    @Inject
    ReturnUrlPolicy returnUrls;

    @GET
    public Response form(@CookieParam(Cookies.PENDING) String pendingId, @CookieParam(Cookies.SESSION) String session) {
        Optional<PendingSignOns.Pending> found = pendingSignOns.find(pendingId);
        if (found.isEmpty() || found.get().completed()) {
            return alreadyDone(found, session);
        }
        PendingSignOns.Pending pending = found.get();
        String username = pending.formUsername() != null ? pending.formUsername() : pending.record().username();
        String email = pending.formEmail() != null ? pending.formEmail() : pending.record().email();
        boolean askEmail = pending.record().email() == null;
        String field = null;
        String problem = null;
        String notice = null;
        switch (pending.reason()) {
            case USERNAME_INVALID -> {
                field = "username";
                String why = UserDataRules.usernameProblem(UserDataRules.normaliseUsername(username == null ? "" : username));
                problem = "The username " + (why == null ? "cannot be used" : why) + ".";
            }
            case EMAIL_INVALID -> {
                field = "email";
                String why = UserDataRules.emailProblem(email == null ? "" : email);
                problem = "The email address " + (why == null ? "cannot be used" : why) + ".";
            }
            case EMAIL_TAKEN -> {
                field = "email";
                problem = "This email address is already taken. Give another, or leave it empty.";
            }
            case "username_taken" -> {
                field = "username";
                problem = "The username " + (username == null ? "you asked for" : "“" + username + "”")
                        + " is already taken. Please choose another.";
            }
            case USERNAME_UNUSABLE -> notice = "The username your sign-in method gave cannot be used here: it "
                    + Optional.ofNullable(UserDataRules.usernameProblem(username == null ? "" : username))
                    .orElse("is not allowed") + ". Please change it.";
            case "email_missing" -> notice = "Please give the email address you want to use here.";
            case EMAIL_REQUIRED -> {
                field = "email";
                problem = "Please give an email address: the community needs one.";
            }
            default -> notice = "Please choose the username other members will see.";
        }
        return Response.ok(Pages.chooseUsername(pending.csrfToken(), notice, problem, field, USERNAME_RULE,
                        username == null ? "" : username, askEmail, accountPolicy.requireEmail(),
                        email == null || !askEmail ? "" : email).render(),
                MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response submit(@CookieParam(Cookies.PENDING) String pendingId, @FormParam("csrf") String csrf,
            @FormParam("username") String username, @FormParam("email") String email,
            @CookieParam(Cookies.SESSION) String previousSession) {
        Optional<PendingSignOns.Pending> found = pendingSignOns.find(pendingId);
        if (found.isPresent() && found.get().completed() && sessions.check(previousSession).isEmpty()) {
            // a double-click's second submit carries the cookies from before the first one's answer:
            // the GET decides with the cookies the browser has by then
            return Response.seeOther(URI.create("/auth/profile")).build();
        }
        if (found.isEmpty() || found.get().completed()) {
            return alreadyDone(found, previousSession); // resubmitted after it worked
        }
        PendingSignOns.Pending pending = found.get();
        if (!Secrets.constantTimeEquals(pending.csrfToken(), csrf)) {
            throw new GatewayException(Reason.CSRF_INVALID, pending.connectorId(), "sign-up form token mismatch")
                    .withTarget(pending.target());
        }
        String chosenUsername = UserDataRules.normaliseUsername(username == null ? "" : username.trim());
        String givenEmail = email == null ? "" : email.trim();
        if (UserDataRules.usernameProblem(chosenUsername) != null) {
            return again(pendingId, USERNAME_INVALID, chosenUsername, givenEmail);
        }
        boolean emailFromIdp = pending.record().email() != null;
        UserRecord record = pending.record().withUsername(chosenUsername);
        if (!emailFromIdp && !givenEmail.isEmpty()) {
            if (UserDataRules.emailProblem(givenEmail) != null) {
                return again(pendingId, EMAIL_INVALID, chosenUsername, givenEmail);
            }
            record = record.withEmail(givenEmail);
        }
        Connector connector = registry.require(pending.connectorId());
        SignOnFlow.Context context = new SignOnFlow.Context(connector, pending.target(), pending.idpSessionId(),
                pending.signOffHandle(), previousSession);
        SignOnFlow.Result result;
        try {
            result = flow.complete(context, record, emailFromIdp, pendingId);
        } catch (EmailTaken e) {
            if (!emailFromIdp) {
                return again(pendingId, EMAIL_TAKEN, chosenUsername, givenEmail);
            }
            throw e.withTarget(pending.target());
        } catch (GatewayException e) {
            if (e.reason() == Reason.PENDING_SIGN_ON_INVALID) {
                // a double-click: the other submit used the form; the GET sends this browser on
                return Response.seeOther(URI.create("/auth/profile")).build();
            }
            throw e.withTarget(pending.target());
        }
        if (result.needs() != null) {
            return again(pendingId, result.needs() == SignOnOutcome.Why.EMAIL_MISSING ? EMAIL_REQUIRED
                    : result.needs().code(), chosenUsername, givenEmail);
        }
        return flow.signedOnKeepingForm(context, result).build();
    }

    /** The form was used (or is gone): signed in, on to where the member was going; else a clear error. */
    private Response alreadyDone(Optional<PendingSignOns.Pending> pending, String session) {
        if (sessions.check(session).isPresent()) {
            String target = pending.map(PendingSignOns.Pending::target).orElse(returnUrls.landingUrl());
            return Response.seeOther(URI.create(target)).build();
        }
        GatewayException refusal = new GatewayException(Reason.PENDING_SIGN_ON_INVALID,
                "no pending sign-on for this browser, or it was used or expired");
        pending.ifPresent(p -> refusal.withTarget(p.target()));
        throw refusal;
    }

    private Response again(String pendingId, String reason, String username, String email) {
        pendingSignOns.rememberForm(pendingId, reason, username, email);
        return Response.seeOther(URI.create("/auth/profile")).build();
    }
}
