package org.segspark.preprocess.io;

import java.io.Serializable;

/** One input that could not be used: which, at what stage, and why. */
public record Reject(String path, String stage, String reason) implements Serializable {
}
