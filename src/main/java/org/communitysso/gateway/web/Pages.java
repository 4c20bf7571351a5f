package org.communitysso.gateway.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import java.util.List;

/** The member-facing pages, type-checked at build time; every page reads {@code ui} (web/UiSettings). */
@CheckedTemplate
public final class Pages {

    private Pages() {
    }

    public static native TemplateInstance signIn(List<SignOnResource.Choice> connectors);

    /** {@code notice}: a neutral prompt; {@code problem}: what is wrong with {@code problemField}'s value. */
    public static native TemplateInstance chooseUsername(String csrf, String notice, String problem,
            String problemField, String usernameRule, String username, boolean askEmail, boolean emailRequired,
            String email);

    public static native TemplateInstance formPost(String action, java.util.List<FormPostPage.Field> fields, String nonce);

    public static native TemplateInstance confirmSignOff(String csrf, String returnUrl);

    /** The opt-in site's "Continue as …?" page (SPEC 7). */
    public static native TemplateInstance siteContinue(String siteLabel, String username, String site,
            String returnUrl, String csrf, String anotherAccountUrl);

    /** "Sign out?" for a sign-off at {@code /sso/logout} that another site asked for. */
    public static native TemplateInstance siteConfirmSignOff(String siteLabel, String site, String returnUrl,
            String csrf);

    public static native TemplateInstance error(String title, String code, String message, String detail,
            String nextStep, String tryAgainUrl, String landingUrl);

    /** After {@code email_taken}: the existing account's sign-in methods (labels only), each a way to link. */
    public static native TemplateInstance linkAccount(String newMethod, List<SignInMethods.Method> methods,
            String csrf, String tryAgainUrl);

    public static native TemplateInstance account(String username, List<SignInMethods.Method> linked,
            List<SignInMethods.Method> available, String csrf, String confirmation, String continueUrl,
            String landingUrl);
}
