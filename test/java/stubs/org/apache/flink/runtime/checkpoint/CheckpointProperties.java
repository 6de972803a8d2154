package org.apache.flink.runtime.checkpoint;

import java.io.Serializable;

/** Test stub with the serial form of Flink 1.15+'s CheckpointProperties (serialVersionUID 2). */
public class CheckpointProperties implements Serializable {

    private static final long serialVersionUID = 2L;

    private final SnapshotType checkpointType;

    private final boolean forced;

    private final boolean discardSubsumed;
    private final boolean discardFinished;
    private final boolean discardCancelled;
    private final boolean discardFailed;
    private final boolean discardSuspended;

    private final boolean unclaimed;

    public CheckpointProperties(
            boolean forced,
            SnapshotType checkpointType,
            boolean discardSubsumed,
            boolean discardFinished,
            boolean discardCancelled,
            boolean discardFailed,
            boolean discardSuspended,
            boolean unclaimed) {
        this.forced = forced;
        this.checkpointType = checkpointType;
        this.discardSubsumed = discardSubsumed;
        this.discardFinished = discardFinished;
        this.discardCancelled = discardCancelled;
        this.discardFailed = discardFailed;
        this.discardSuspended = discardSuspended;
        this.unclaimed = unclaimed;
    }

    /** CheckpointProperties.forCheckpoint(RETAIN_ON_CANCELLATION). */
    public static CheckpointProperties retainedOnCancellation() {
        return new CheckpointProperties(false, CheckpointType.CHECKPOINT, true, true, false, false, false, false);
    }
}
