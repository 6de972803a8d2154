package org.apache.flink.runtime.jobgraph;

import java.io.Serializable;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;

/**
 * Test stub with part of the serial form of Flink's JobGraph (serialVersionUID 1, Flink 1.15+):
 * the fields haadm decodes ({@code JobID jobID}, {@code String jobName}, {@code JobType jobType},
 * {@code SavepointRestoreSettings savepointRestoreSettings}) with Flink's names and types, plus a
 * few of the collections a real job graph carries so that the stream is not trivially small.
 * Flink's other fields (configuration, serialized execution config, checkpointing settings, ...)
 * are left out; a reader looks fields up by name.
 */
public class JobGraph implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Map<Object, Object> taskVertices = new LinkedHashMap<>();

    private JobID jobID;

    private final String jobName;

    private JobType jobType = JobType.BATCH;

    private boolean approximateLocalRecovery = false;

    private SavepointRestoreSettings savepointRestoreSettings = SavepointRestoreSettings.none();

    private final List<Object> userJarBlobKeys = new ArrayList<>();

    private List<URL> classpaths = Collections.emptyList();

    public JobGraph(JobID jobId, String jobName) {
        this.jobID = jobId;
        this.jobName = jobName == null ? "(unnamed job)" : jobName;
    }

    public JobID getJobID() {
        return jobID;
    }

    public String getName() {
        return jobName;
    }

    public void setJobType(JobType type) {
        this.jobType = type;
    }

    public void setSavepointRestoreSettings(SavepointRestoreSettings settings) {
        this.savepointRestoreSettings = settings;
    }

    public void addVertex(String id, String name) {
        taskVertices.put(id, name);
    }
}
