package org.apache.flink.runtime;

/** Stand-in for Flink's JobException: the usual original error class of a failed job's failure-cause. */
public class JobException extends Exception {
    private static final long serialVersionUID = 1275864691743020176L;

    public JobException(String message, Throwable cause) {
        super(message, cause);
    }
}
