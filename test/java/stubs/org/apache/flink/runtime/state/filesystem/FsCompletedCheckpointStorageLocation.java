package org.apache.flink.runtime.state.filesystem;

import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.CompletedCheckpointStorageLocation;

/**
 * Test stub with the serial form of Flink's FsCompletedCheckpointStorageLocation (serialVersionUID
 * 1; {@code Path exclusiveCheckpointDir}, {@code FileStateHandle metadataFileHandle},
 * {@code String externalPointer}).
 */
public class FsCompletedCheckpointStorageLocation implements CompletedCheckpointStorageLocation {

    private static final long serialVersionUID = 1L;

    private final Path exclusiveCheckpointDir;

    private final FileStateHandle metadataFileHandle;

    private final String externalPointer;

    public FsCompletedCheckpointStorageLocation(
            Path exclusiveCheckpointDir, FileStateHandle metadataFileHandle, String externalPointer) {
        this.exclusiveCheckpointDir = exclusiveCheckpointDir;
        this.metadataFileHandle = metadataFileHandle;
        this.externalPointer = externalPointer;
    }

    @Override
    public String getExternalPointer() {
        return externalPointer;
    }

    @Override
    public FileStateHandle getMetadataHandle() {
        return metadataFileHandle;
    }
}
