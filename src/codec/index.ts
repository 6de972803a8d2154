/** Pure decoders for the bytes Flink keeps in its HA stores. None does I/O; none throws on bad input. */
export {type DecodeError, type DecodeErrorCode, type DecodeResult, fail, ok} from './result.js'
export {
  BASE_WIRE_HANDLE,
  ClassDescFlag,
  DEFAULT_JAVA_SERIALIZATION_LIMITS,
  type FieldTypeCode,
  type JavaArray,
  type JavaBlockData,
  type JavaClass,
  type JavaClassData,
  type JavaClassDesc,
  type JavaContent,
  type JavaEnum,
  type JavaFieldDesc,
  type JavaObject,
  JavaObjectInput,
  type JavaSerializationLimits,
  type JavaSerializationOptions,
  type JavaValue,
  type PrimitiveTypeCode,
  STREAM_MAGIC,
  STREAM_VERSION,
  TypeCode,
  decodeModifiedUtf8,
  describeJavaValue,
  getClassData,
  getField,
  isJavaObject,
  openJavaObjectInput,
  readJavaObject,
  readJavaStream,
} from './java-serialization.js'
export {
  type LeaderInformation,
  UUID_CLASS_NAME,
  UUID_SERIAL_VERSION_UID,
  decodeLeaderInformation,
  formatUuid,
} from './leader-information.js'
export {
  FILE_STATE_HANDLE_CLASS,
  FLINK_PATH_CLASS,
  JAVA_NET_URI_CLASS,
  RETRIEVABLE_STREAM_STATE_HANDLE_CLASS,
  STATE_HANDLE_SERIAL_VERSION_UIDS,
  type StateHandlePointer,
  decodeStateHandlePointer,
  percentDecode,
} from './state-handle.js'
export {ABSTRACT_ID_CLASS, JOB_ID_CLASS, JOB_ID_SERIAL_VERSION_UID, formatJobId, isJobIdText, jobIdText} from './job-id.js'
export {
  INITIAL_CHECKPOINT_ID,
  KUBERNETES_CHECKPOINT_KEY_PREFIX,
  checkpointEntryName,
  checkpointIdFromName,
  decodeCheckpointIdCounter,
  parseCheckpointIdCounterText,
} from './checkpoint-id.js'
export {
  COMPLETED_CHECKPOINT_CLASS,
  COMPLETED_CHECKPOINT_SERIAL_VERSION_UID,
  type CompletedCheckpointInfo,
  decodeCompletedCheckpoint,
} from './completed-checkpoint.js'
export {JOB_GRAPH_CLASS, STREAM_GRAPH_CLASS, type ExecutionPlanInfo, decodeExecutionPlan} from './execution-plan.js'
