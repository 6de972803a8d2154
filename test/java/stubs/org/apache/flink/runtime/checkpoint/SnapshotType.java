package org.apache.flink.runtime.checkpoint;

import java.io.Serializable;

/** Test stub of Flink's SnapshotType (1.15+): the interface of CheckpointType and SavepointType. */
public interface SnapshotType extends Serializable {

    boolean isSavepoint();

    String getName();

    /** Flink's nested enum, written by constant name. */
    enum SharingFilesStrategy {
        FORWARD_BACKWARD,
        FORWARD,
        NO_SHARING
    }
}
