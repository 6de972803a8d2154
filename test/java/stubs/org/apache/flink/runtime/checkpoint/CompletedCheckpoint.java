package org.apache.flink.runtime.checkpoint;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.state.CompletedCheckpointStorageLocation;
import org.apache.flink.runtime.state.StreamStateHandle;

/**
 * Test stub with the serial form of Flink 1.16+'s CompletedCheckpoint (serialVersionUID
 * -8360248179615702014L), what FileSystemStateStorageHelper writes to a
 * {@code completedCheckpoint<12 hex>} file. Field names and types are Flink's; the operator states
 * and master hook states stay empty (their element classes are not stubbed), which a real
 * checkpoint of a job without state also has.
 */
public class CompletedCheckpoint implements Serializable {

    private static final long serialVersionUID = -8360248179615702014L;

    private final JobID job;

    private final long checkpointID;

    private final long timestamp;

    private final long completionTimestamp;

    private final Map<Object, Object> operatorStates;

    private final CheckpointProperties props;

    private final CheckpointProperties restoredProps;

    private final Collection<Object> masterHookStates;

    private final CompletedCheckpointStorageLocation storageLocation;

    private final StreamStateHandle metadataHandle;

    private final String externalPointer;

    public CompletedCheckpoint(
            JobID job,
            long checkpointID,
            long timestamp,
            long completionTimestamp,
            Map<Object, Object> operatorStates,
            Collection<Object> masterHookStates,
            CheckpointProperties props,
            CompletedCheckpointStorageLocation storageLocation) {
        this.job = job;
        this.checkpointID = checkpointID;
        this.timestamp = timestamp;
        this.completionTimestamp = completionTimestamp;
        this.operatorStates = new HashMap<>(operatorStates);
        this.masterHookStates =
                masterHookStates == null || masterHookStates.isEmpty()
                        ? Collections.emptyList()
                        : new ArrayList<>(masterHookStates);
        this.props = props;
        this.storageLocation = storageLocation;
        this.metadataHandle = storageLocation.getMetadataHandle();
        this.externalPointer = storageLocation.getExternalPointer();
        this.restoredProps = null;
    }

    public long getCheckpointID() {
        return checkpointID;
    }

    public String getExternalPointer() {
        return externalPointer;
    }
}
