package org.communitysso.gateway.identity;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.SpoofChecker;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a valid username, email, role id, avatar and id look like, and the
 * canonical keys usernames and emails are compared by; shared by the
 * normaliser and the sign-up form. See docs/security.md.
 */
public final class UserDataRules {

    public static final int MAX_ID = 255;
    public static final int MIN_USERNAME = 2;
    public static final int MAX_USERNAME = 64;
    public static final int MAX_AVATAR = 2048;
    /** Combining marks one letter may carry: enough for Vietnamese, Thai or Devanagari, not for "Zalgo" text. */
    static final int MAX_MARKS_PER_CHARACTER = 4;
    /** The column the canonical key is kept in (NFKC case folding can lengthen a name). */
    static final int MAX_USERNAME_KEY = 255;

    private static final Pattern USERNAME = Pattern.compile("[\\p{L}\\p{M}\\p{N}._'-]+(?: [\\p{L}\\p{M}\\p{N}._'-]+)*");
    private static final Pattern ROLE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private static final Normalizer2 NFC = Normalizer2.getNFCInstance();
    private static final Normalizer2 NFKC_CASEFOLD = Normalizer2.getNFKCCasefoldInstance();
    /**
     * UTS 39: one script per name, except Latin with one other script that is
     * not Cyrillic or Greek (so "аdmin" with a Cyrillic "а" is refused, "東京Tokyo"
     * is not); digits from one numbering system; no repeated invisible marks.
     */
    private static final SpoofChecker SPOOF = new SpoofChecker.Builder()
            .setChecks(SpoofChecker.RESTRICTION_LEVEL | SpoofChecker.MIXED_NUMBERS | SpoofChecker.INVISIBLE)
            .setRestrictionLevel(SpoofChecker.RestrictionLevel.MODERATELY_RESTRICTIVE)
            .build();

    private UserDataRules() {
    }

    /** The form a username is stored and shown in: NFC, so one visible name has one spelling. */
    public static String normaliseUsername(String username) {
        return NFC.normalize(username);
    }

    /** Null when valid, else why not (without echoing the value). Expects {@link #normaliseUsername} applied. */
    public static String usernameProblem(String username) {
        if (username.length() < MIN_USERNAME || username.length() > MAX_USERNAME) {
            return "must be " + MIN_USERNAME + " to " + MAX_USERNAME + " characters";
        }
        if (!USERNAME.matcher(username).matches()) {
            return "may hold letters, digits, '.', '_', '-', apostrophes and single spaces between them";
        }
        boolean letterOrDigit = false;
        int marksInARow = 0;
        int previous = -1;
        for (int c : username.codePoints().toArray()) {
            if (UCharacter.hasBinaryProperty(c, UProperty.DEFAULT_IGNORABLE_CODE_POINT)) {
                return "holds an invisible character";
            }
            if (isMark(c)) {
                if (previous == -1 || !(isMark(previous) || Character.isLetterOrDigit(previous))) {
                    return "has an accent or mark that belongs to no letter";
                }
                if (++marksInARow > MAX_MARKS_PER_CHARACTER) {
                    return "has more than " + MAX_MARKS_PER_CHARACTER + " accents or marks on one letter";
                }
            } else {
                marksInARow = 0;
                letterOrDigit |= Character.isLetterOrDigit(c);
            }
            previous = c;
        }
        if (!letterOrDigit) {
            return "must hold at least one letter or digit";
        }
        if (SPOOF.failsChecks(username)) {
            return "mixes scripts or kinds of digits in a way that can imitate another name";
        }
        if (usernameKey(username).length() > MAX_USERNAME_KEY) {
            return "must be " + MIN_USERNAME + " to " + MAX_USERNAME + " characters";
        }
        return null;
    }

    /** Two usernames are the same name when their NFKC case-folded forms are equal: "Bob" = "BOB" = "ｂｏｂ", "böb" ≠ "bob". */
    public static String usernameKey(String username) {
        return username == null ? null : NFKC_CASEFOLD.normalize(username);
    }

    public static String emailProblem(String email) {
        return EmailAddresses.problem(email);
    }

    /** The canonical form emails are compared by; see {@link EmailAddresses#canonical}. */
    public static String emailKey(String email) {
        return email == null ? null : EmailAddresses.canonical(email);
    }

    /**
     * An IdP's id is opaque and compared byte for byte: it is never trimmed or
     * folded, and one with white space at either end is refused (MySQL's
     * binary collation would still ignore trailing spaces).
     */
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
        if (Character.isWhitespace(id.charAt(0)) || Character.isWhitespace(id.charAt(id.length() - 1))) {
            return "starts or ends with white space";
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

    private static boolean isMark(int c) {
        int type = Character.getType(c);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }
}
