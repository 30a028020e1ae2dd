package dev.warden.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exempts the annotated code from the build's forbidden-apis check (build/forbidden-signatures.txt
 * and the JDK signatures in the parent pom), found by its simple name. Put it on the narrowest
 * method or class and say in {@link #value} why the banned API is right there.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.FIELD})
@interface SuppressForbidden {
  /** Why the banned API is the right one here. */
  String value();
}
