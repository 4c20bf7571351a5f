package org.communitysso.gateway.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An endpoint that receives an IdP's answer, or the form that completes one:
 * {@link ErrorResponses} audits its refusals as failed sign-ons.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface SignOnAnswer {
}
