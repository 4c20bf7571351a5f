package org.communitysso.gateway.identity;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.text.IDNA;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.Email;
import java.util.Locale;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * Which emails the community accepts, and the one canonical form two
 * addresses are compared by (docs/security.md):
 * <ul>
 * <li>the domain is IDNA-normalised to A-labels (UTS 46, which lower-cases it):
 * {@code x.tést} becomes {@code x.xn--tst-bma}, never {@code x.test};</li>
 * <li>the local part is lower-cased when it is ASCII and kept exactly as sent
 * otherwise, so {@code Alice@X.test} = {@code alice@x.test} but
 * {@code alicé@x.test} ≠ {@code alice@x.test}.</li>
 * </ul>
 * Two addresses are the same mailbox only when these forms are equal byte for byte.
 */
final class EmailAddresses {

    static final int MAX_LENGTH = 254;
    /** Quoting, comments, domain literals and markup: legal in RFC 5322 at most, never needed by a member. */
    private static final String REFUSED_CHARACTERS = "<>\"\\`()[],;:";

    private static final Validator VALIDATOR = Validation.byProvider(HibernateValidator.class).configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory().getValidator();
    private static final IDNA IDNA_UTS46 = IDNA.getUTS46Instance(IDNA.NONTRANSITIONAL_TO_ASCII | IDNA.CHECK_BIDI
            | IDNA.CHECK_CONTEXTJ | IDNA.USE_STD3_RULES);

    /** What Hibernate Validator's {@code @Email} is applied to. */
    static final class Checked {
        @Email
        String value;
    }

    private EmailAddresses() {
    }

    /** Null when the address is acceptable, else why not (without echoing it). */
    static String problem(String email) {
        if (email.length() > MAX_LENGTH) {
            return "is not an email address";
        }
        for (int c : email.codePoints().toArray()) {
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)
                    || Character.getType(c) == Character.FORMAT
                    || UCharacter.hasBinaryProperty(c, UProperty.DEFAULT_IGNORABLE_CODE_POINT)
                    || REFUSED_CHARACTERS.indexOf(c) >= 0) {
                return "holds a character an email address cannot have";
            }
        }
        int at = email.indexOf('@');
        if (at <= 0 || at != email.lastIndexOf('@') || at == email.length() - 1
                || !VALIDATOR.validateValue(Checked.class, "value", email).isEmpty()) {
            return "is not an email address";
        }
        String domain = email.substring(at + 1);
        if (!domain.contains(".") || domain.startsWith(".") || domain.endsWith(".") || asciiDomain(domain) == null) {
            return "has a domain name that is not valid";
        }
        return null;
    }

    /** The canonical form of an address {@link #problem} accepted. */
    static String canonical(String email) {
        int at = email.lastIndexOf('@');
        String local = email.substring(0, at);
        String domain = email.substring(at + 1);
        String ascii = asciiDomain(domain);
        boolean asciiLocal = local.chars().allMatch(c -> c < 0x80);
        return (asciiLocal ? local.toLowerCase(Locale.ROOT) : local) + "@"
                + (ascii != null ? ascii : domain.toLowerCase(Locale.ROOT));
    }

    /** The domain in A-labels, lower case; null when IDNA refuses it. */
    private static String asciiDomain(String domain) {
        StringBuilder out = new StringBuilder();
        IDNA.Info info = new IDNA.Info();
        IDNA_UTS46.nameToASCII(domain, out, info);
        return info.hasErrors() ? null : out.toString().toLowerCase(Locale.ROOT);
    }
}
