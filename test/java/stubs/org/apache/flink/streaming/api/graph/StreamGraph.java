package org.apache.flink.streaming.api.graph;

import java.io.Serializable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.jobgraph.JobType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;

/**
 * Test stub with part of the serial form of Flink 2.x's StreamGraph (serialVersionUID 1), the other
 * ExecutionPlan a 2.x {@code submittedExecutionPlan} file may hold. Its job id field is spelled
 * {@code jobId} (JobGraph: {@code jobID}).
 */
public class StreamGraph implements Serializable {

    private static final long serialVersionUID = 1L;

    private long initialClientHeartbeatTimeout;

    private String jobName;

    private JobID jobId;

    private SavepointRestoreSettings savepointRestoreSettings = SavepointRestoreSettings.none();

    private JobType jobType = JobType.STREAMING;

    private boolean dynamic;

    public StreamGraph(JobID jobId, String jobName) {
        this.jobId = jobId;
        this.jobName = jobName;
    }

    public void setJobType(JobType jobType) {
        this.jobType = jobType;
    }

    public void setSavepointRestoreSettings(SavepointRestoreSettings settings) {
        this.savepointRestoreSettings = settings;
    }
}
