package org.apache.flink.runtime.state.filesystem;

import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.StreamStateHandle;

/** Test stub with the serial form of Flink's FileStateHandle. */
public class FileStateHandle implements StreamStateHandle {

    private static final long serialVersionUID = 350284443258002355L;

    private final Path filePath;

    private final long stateSize;

    public FileStateHandle(Path filePath, long stateSize) {
        if (stateSize < -1) {
            throw new IllegalArgumentException("stateSize < -1");
        }
        this.filePath = filePath;
        this.stateSize = stateSize;
    }

    public Path getFilePath() {
        return filePath;
    }

    public long getStateSize() {
        return stateSize;
    }
}
