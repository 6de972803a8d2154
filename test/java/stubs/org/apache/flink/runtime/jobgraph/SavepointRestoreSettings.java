package org.apache.flink.runtime.jobgraph;

import java.io.Serializable;

/**
 * Test stub with the serial fields haadm reads from Flink's SavepointRestoreSettings
 * (serialVersionUID 87377506900849777L): {@code String restorePath} and
 * {@code boolean allowNonRestoredState}. Flink 1.15+ also has the claim mode, which haadm does not
 * read.
 */
public class SavepointRestoreSettings implements Serializable {

    private static final long serialVersionUID = 87377506900849777L;

    private static final SavepointRestoreSettings NONE = new SavepointRestoreSettings(null, false);

    private final String restorePath;

    private final boolean allowNonRestoredState;

    private SavepointRestoreSettings(String restorePath, boolean allowNonRestoredState) {
        this.restorePath = restorePath;
        this.allowNonRestoredState = allowNonRestoredState;
    }

    public static SavepointRestoreSettings none() {
        return NONE;
    }

    public static SavepointRestoreSettings forPath(String savepointPath) {
        return new SavepointRestoreSettings(savepointPath, false);
    }

    public String getRestorePath() {
        return restorePath;
    }
}
