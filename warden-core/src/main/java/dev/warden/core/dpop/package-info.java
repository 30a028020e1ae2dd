/**
 * DPoP (RFC 9449): the proof of possession a client sends in a {@code DPoP} header, verified
 * without HTTP (the server reads the headers and hands their values here), and the check a resource
 * makes of a token bound to a DPoP key ({@code cnf.jkt}). See decision 651.
 */
@NullMarked
package dev.warden.core.dpop;

import org.jspecify.annotations.NullMarked;
