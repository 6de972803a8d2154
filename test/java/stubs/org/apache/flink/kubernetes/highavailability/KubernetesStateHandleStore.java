package org.apache.flink.kubernetes.highavailability;

import java.io.Serializable;
import org.apache.flink.runtime.state.RetrievableStateHandle;
import org.apache.flink.runtime.state.StateObject;

/**
 * Test stub holding the serial form of Flink's
 * KubernetesStateHandleStore$StateHandleWithDeleteMarker (flink-kubernetes, 1.15+, FLINK-26286),
 * the wrapper that Kubernetes HA writes, base64 encoded, into every jobGraph-, executionPlan- and
 * checkpointID- ConfigMap entry.
 */
public class KubernetesStateHandleStore {

    private KubernetesStateHandleStore() {}

    /**
     * Same name, fields and field types as Flink's. Flink's class declares no serialVersionUID; the
     * JVM computes -6953210432246692993 for it (kubernetes-layout.md §2), written here explicitly so
     * the stream carries exactly that value.
     */
    public static class StateHandleWithDeleteMarker<T extends Serializable> implements StateObject {

        private static final long serialVersionUID = -6953210432246692993L;

        private final RetrievableStateHandle<T> inner;
        private final boolean markedForDeletion;

        public StateHandleWithDeleteMarker(RetrievableStateHandle<T> inner) {
            this(inner, false);
        }

        public StateHandleWithDeleteMarker(RetrievableStateHandle<T> inner, boolean markedForDeletion) {
            this.inner = inner;
            this.markedForDeletion = markedForDeletion;
        }

        @Override
        public void discardState() throws Exception {
            inner.discardState();
        }

        @Override
        public long getStateSize() {
            return inner.getStateSize();
        }

        public RetrievableStateHandle<T> getInner() {
            return inner;
        }

        public boolean isMarkedForDeletion() {
            return markedForDeletion;
        }

        public StateHandleWithDeleteMarker<T> toDeleting() {
            return new StateHandleWithDeleteMarker<>(inner, true);
        }
    }
}
