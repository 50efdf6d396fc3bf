package io.github.dl4jadamw.examples.data;

/** A data file is missing, truncated or not in the expected format; the message names the file and what was expected. */
public final class DataFormatException extends RuntimeException {
    public DataFormatException(String message) {
        super(message);
    }

    public DataFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
