package org.apache.flink.runtime.state;

import java.io.Serializable;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;

/**
 * Test stub with the serial form of Flink's RetrievableStreamStateHandle (same name,
 * serialVersionUID and serializable fields), the handle that Flink's HA stores write to ZooKeeper.
 */
public class RetrievableStreamStateHandle<T extends Serializable> implements StreamStateHandle {

    private static final long serialVersionUID = 314567453677355L;

    private final StreamStateHandle wrappedStreamStateHandle;

    public RetrievableStreamStateHandle(StreamStateHandle streamStateHandle) {
        this.wrappedStreamStateHandle = streamStateHandle;
    }

    public RetrievableStreamStateHandle(Path filePath, long stateSize) {
        this.wrappedStreamStateHandle = new FileStateHandle(filePath, stateSize);
    }

    public StreamStateHandle getWrappedStreamStateHandle() {
        return wrappedStreamStateHandle;
    }
}
