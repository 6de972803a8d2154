package org.apache.flink.runtime.checkpoint;

/**
 * Test stub with the serial fields of Flink 1.15+'s CheckpointType ({@code String name},
 * {@code SharingFilesStrategy sharingFilesStrategy}). Like Flink's class it declares no
 * serialVersionUID, so the JVM computes one from the class's members; it need not match Flink's,
 * and haadm does not check it.
 */
public final class CheckpointType implements SnapshotType {

    public static final CheckpointType CHECKPOINT =
            new CheckpointType("Checkpoint", SharingFilesStrategy.FORWARD_BACKWARD);

    public static final CheckpointType FULL_CHECKPOINT =
            new CheckpointType("Full Checkpoint", SharingFilesStrategy.FORWARD);

    private final String name;

    private final SharingFilesStrategy sharingFilesStrategy;

    private CheckpointType(final String name, SharingFilesStrategy sharingFilesStrategy) {
        this.name = name;
        this.sharingFilesStrategy = sharingFilesStrategy;
    }

    public boolean isSavepoint() {
        return false;
    }

    public String getName() {
        return name;
    }
}
