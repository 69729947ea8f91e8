package org.segspark.jobs.config;

/** A setting path that no segspark job knows, with the nearest one that it does. */
public final class UnknownSettingException extends IllegalArgumentException {
    public UnknownSettingException(String message) {
        super(message);
    }
}
