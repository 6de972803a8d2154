package org.apache.flink.runtime.state.memory;

import org.apache.flink.runtime.state.StreamStateHandle;

/**
 * Test stub with the serial form of Flink's ByteStreamStateHandle: a handle type that haadm does
 * not follow, used to check that unknown handle classes are reported by name.
 */
public class ByteStreamStateHandle implements StreamStateHandle {

    private static final long serialVersionUID = -5280226231202517594L;

    private final byte[] data;

    private final String handleName;

    public ByteStreamStateHandle(String handleName, byte[] data) {
        this.handleName = handleName;
        this.data = data;
    }
}
