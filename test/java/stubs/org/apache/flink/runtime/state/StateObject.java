package org.apache.flink.runtime.state;

import java.io.Serializable;

/**
 * Test stub of Flink's StateObject. Interfaces are not written to a serialization stream; the
 * name matters only where it appears in a field signature.
 */
public interface StateObject extends Serializable {
    void discardState() throws Exception;

    long getStateSize();
}
