import {Flags} from '@oclif/core'

/** The Kubernetes backend's flags (its settings are resolved with Flink's kubernetes.* keys and KUBECONFIG). */
export const kubernetesFlags = {
  kubeconfig: Flags.string({summary: 'Kubernetes: kubeconfig file (KUBECONFIG, kubernetes.config.file; else ~/.kube/config or in-cluster).', helpGroup: 'KUBERNETES'}),
  context: Flags.string({summary: 'Kubernetes: kubeconfig context (kubernetes.context; default: the current context).', helpGroup: 'KUBERNETES'}),
  namespace: Flags.string({char: 'n', summary: "Kubernetes: namespace (kubernetes.namespace; default: the context's, then default).", helpGroup: 'KUBERNETES'}),
}

/** Commands over many clusters (clusters, cleanup --all-dead): every namespace instead of one. */
export const allNamespacesFlag = {
  'all-namespaces': Flags.boolean({char: 'A', summary: 'Kubernetes: every namespace the account may list (needs list on configmaps at the cluster scope).', helpGroup: 'KUBERNETES'}),
}
