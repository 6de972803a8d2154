package org.apache.flink.runtime.state;

import java.io.Serializable;

/** Test stub of Flink's CompletedCheckpointStorageLocation interface (only its name is in a stream). */
public interface CompletedCheckpointStorageLocation extends Serializable {

    String getExternalPointer();

    StreamStateHandle getMetadataHandle();
}
