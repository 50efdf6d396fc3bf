package io.github.dl4jadamw.examples.data;

/**
 * Data that had to be downloaded could not be: the message names the URL tried, the cache directory it was meant
 * for, and what to do instead (the download host unreachable is the usual case, e.g. on a machine that reaches
 * only a Maven repository).
 */
public final class DataDownloadException extends RuntimeException {
    public DataDownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
