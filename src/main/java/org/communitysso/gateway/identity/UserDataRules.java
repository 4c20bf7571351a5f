package org.communitysso.gateway.identity;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/** What a valid username, email, role id and avatar look like; shared by the normaliser and the sign-up form. */
public final class UserDataRules {

    public static final int MAX_ID = 255;
    public static final int MIN_USERNAME = 2;
    public static final int MAX_USERNAME = 64;
    public static final int MAX_EMAIL = 254;
    public static final int MAX_AVATAR = 2048;

    private static final Pattern USERNAME = Pattern.compile("[\\p{L}\\p{M}\\p{N}._'-]+(?: [\\p{L}\\p{M}\\p{N}._'-]+)*");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s\\p{Cntrl}]+@[^@\\s\\p{Cntrl}.]+(?:\\.[^@\\s\\p{Cntrl}.]+)+");
    private static final Pattern ROLE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private UserDataRules() {
    }

    /** Null when valid, else why not (without echoing the value). */
    public static String usernameProblem(String username) {
        if (username.length() < MIN_USERNAME || username.length() > MAX_USERNAME) {
            return "must be " + MIN_USERNAME + " to " + MAX_USERNAME + " characters";
        }
        if (!USERNAME.matcher(username).matches()) {
            return "may hold letters, digits, '.', '_', '-', apostrophes and single spaces between them";
        }
        return null;
    }

    public static String emailProblem(String email) {
        if (email.length() > MAX_EMAIL || !EMAIL.matcher(email).matches()) {
            return "is not an email address";
        }
        return null;
    }

    public static String idProblem(String id) {
        if (id.isEmpty()) {
            return "is empty";
        }
        if (id.length() > MAX_ID) {
            return "is longer than " + MAX_ID + " characters";
        }
        if (CONTROL.matcher(id).find()) {
            return "holds control characters";
        }
        return null;
    }

    public static String roleIdProblem(String roleId) {
        return ROLE_ID.matcher(roleId).matches() ? null : "holds a role id that is not 1-64 of A-Z, a-z, 0-9, '_', '-'";
    }

    public static String avatarProblem(String avatar) {
        if (avatar.length() > MAX_AVATAR) {
            return "is longer than " + MAX_AVATAR + " characters";
        }
        try {
            URI uri = new URI(avatar);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getUserInfo() == null) {
                return null;
            }
        } catch (Exception e) {
            // falls through
        }
        return "is not an http(s) URL";
    }

    /** The key uniqueness is checked on. */
    public static String key(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }
}
