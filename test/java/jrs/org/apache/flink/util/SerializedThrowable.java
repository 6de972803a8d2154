package org.apache.flink.util;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.lang.ref.WeakReference;
import java.util.HashSet;
import java.util.Set;

/**
 * Stand-in for Flink's org.apache.flink.util.SerializedThrowable, with the same class name,
 * serialVersionUID and serializable fields, so that the JDK writes the same stream Flink writes
 * into a JobResultStore entry's failure-cause.serialized-throwable.
 */
public class SerializedThrowable extends Exception implements Serializable {

    private static final long serialVersionUID = 7284183123441947635L;

    /** The original exception in serialized form. */
    private final byte[] serializedException;

    /** Name of the original error class. */
    private final String originalErrorClassName;

    /** The original stack trace, to be printed. */
    private final String fullStringifiedStackTrace;

    /** A guaranteed serializable placeholder exception, without the original's classes. */
    private transient WeakReference<Throwable> cachedException;

    public SerializedThrowable(Throwable exception) {
        this(exception, new HashSet<>());
    }

    private SerializedThrowable(Throwable exception, Set<Throwable> alreadySeen) {
        super(exception.getMessage() != null ? exception.getMessage() : exception.getClass().getName());
        if (!(exception instanceof SerializedThrowable)) {
            byte[] serialized;
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                    out.writeObject(exception);
                }
                serialized = bytes.toByteArray();
            } catch (Throwable t) {
                serialized = null;
            }
            this.serializedException = serialized;
            this.cachedException = new WeakReference<>(exception);
            this.originalErrorClassName = exception.getClass().getName();
            StringWriter trace = new StringWriter();
            exception.printStackTrace(new PrintWriter(trace));
            this.fullStringifiedStackTrace = trace.toString();
            setStackTrace(exception.getStackTrace());
            alreadySeen.add(exception);
            Throwable cause = exception.getCause();
            if (cause != null && !alreadySeen.contains(cause)) {
                initCause(new SerializedThrowable(cause, alreadySeen));
            }
        } else {
            SerializedThrowable other = (SerializedThrowable) exception;
            this.serializedException = other.serializedException;
            this.originalErrorClassName = other.originalErrorClassName;
            this.fullStringifiedStackTrace = other.fullStringifiedStackTrace;
            this.cachedException = other.cachedException;
            setStackTrace(other.getStackTrace());
            initCause(other.getCause());
        }
    }

    public String getOriginalErrorClassName() {
        return originalErrorClassName;
    }

    public String getFullStringifiedStackTrace() {
        return fullStringifiedStackTrace;
    }
}
